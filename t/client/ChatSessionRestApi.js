"use strict";
// ChatSessionRestApi: the REST class @superoffice/webapi 12.4.1514 would have
// for ChatSession, had its code generator emitted one.  The package ships
// REST classes only for Contact, Person, Sale, Project, Appointment and
// Document; this file is node_modules/@superoffice/webapi/dist/cjs/
// ContactRestApi.js (generated from modelling\templates\servicestswebapi\
// tswebapirestentities.tt, Copyright (C) SuperOffice AS, ISC licence) with
// "Contact" replaced by "ChatSession", line for line: same base class, same
// request config, same status bookkeeping, same converter pattern.  Do not
// "improve" it — the point is to behave exactly like the official client.
Object.defineProperty(exports, "__esModule", { value: true });
exports.ChatSessionRestApi = void 0;
const tslib_1 = require("tslib");
const base = tslib_1.__importStar(require("@superoffice/webapi/WebApiBase.js"));
const converters = tslib_1.__importStar(require("@superoffice/webapi/Converters.js"));
/**
 * The ChatSession Service.
 *
 * `api/v1/ChatSession`
 */
class ChatSessionRestApi extends base.WebApiBase {
    constructor(baseUrlOrOptions, langOrconfigOrRM, langOrResourceOrRM, cultureCode) {
        const options = base.WebApiBase.FigureOutOptions(baseUrlOrOptions, langOrconfigOrRM, langOrResourceOrRM, cultureCode);
        options.basePath = "v1/ChatSession/";
        super(options);
    }
    /**
     * `GET /api/v1/ChatSession/default`
     */
    async getDefaultAsync(options) {
        const config = base.WebApiBase.GetAxiosRequestConfig(options, this._options);
        base.WebApiBase.SetPending(options);
        return new Promise(async (resolve, reject) => {
            try {
                const response = await this._axios.get("default", config);
                base.WebApiBase.SetCompleted(options, response);
                const res = converters.Create_ChatSessionEntity_From(response.data);
                resolve(res);
            }
            catch (err) {
                base.WebApiBase.HandleError(options, config, err);
                reject(err);
            }
        });
    }
    /**
     * `POST /api/v1/ChatSession/`
     */
    async postAsync(newChatSession, options) {
        const config = base.WebApiBase.GetAxiosRequestConfig(options, this._options);
        base.WebApiBase.SetPending(options);
        return new Promise(async (resolve, reject) => {
            try {
                const response = await this._axios.post("", newChatSession, config);
                base.WebApiBase.SetCompleted(options, response);
                const res = converters.Create_ChatSessionEntity_From(response.data);
                resolve(res);
            }
            catch (err) {
                base.WebApiBase.HandleError(options, config, err);
                reject(err);
            }
        });
    }
    /**
     * `PUT /api/v1/ChatSession/123`
     */
    async putByIdAsync(id, chatSession, options) {
        const config = base.WebApiBase.GetAxiosRequestConfig(options, this._options);
        base.WebApiBase.SetPending(options);
        return new Promise(async (resolve, reject) => {
            try {
                const response = await this._axios.put(id.toString(), chatSession, config);
                base.WebApiBase.SetCompleted(options, response);
                let res = null;
                if (response.status != 304)
                    res = converters.Create_ChatSessionEntity_From(response.data);
                resolve(res);
            }
            catch (err) {
                base.WebApiBase.HandleError(options, config, err);
                reject(err);
            }
        });
    }
    /**
     * `PATCH /api/v1/ChatSession/123`
     */
    async patchByIdAsync(id, chatSession, options) {
        const config = base.WebApiBase.GetAxiosRequestConfig(options, this._options);
        base.WebApiBase.SetPending(options);
        return new Promise(async (resolve, reject) => {
            try {
                const response = await this._axios.patch(id.toString(), chatSession, config);
                base.WebApiBase.SetCompleted(options, response);
                let res = null;
                if (response.status != 304)
                    res = converters.Create_ChatSessionEntity_From(response.data);
                resolve(res);
            }
            catch (err) {
                base.WebApiBase.HandleError(options, config, err);
                reject(err);
            }
        });
    }
    /**
     * `DELETE /api/v1/ChatSession/123`
     */
    async deleteByIdAsync(chatSessionId, options) {
        const config = base.WebApiBase.GetAxiosRequestConfig(options, this._options);
        base.WebApiBase.SetPending(options);
        return new Promise(async (resolve, reject) => {
            try {
                const response = await this._axios.delete(chatSessionId.toString(), config);
                base.WebApiBase.SetCompleted(options, response);
                const res = response.data;
                resolve(res);
            }
            catch (err) {
                base.WebApiBase.HandleError(options, config, err);
                reject(err);
            }
        });
    }
    /**
     * `GET /api/v1/ChatSession/123`
     */
    async getByIdAsync(chatSessionId, options) {
        const config = base.WebApiBase.GetAxiosRequestConfig(options, this._options);
        base.WebApiBase.SetPending(options);
        return new Promise(async (resolve, reject) => {
            try {
                const response = await this._axios.get(chatSessionId.toString(), config);
                base.WebApiBase.SetCompleted(options, response);
                let res = null;
                if (response.status != 304)
                    res = converters.Create_ChatSessionEntity_From(response.data);
                resolve(res);
            }
            catch (err) {
                base.WebApiBase.HandleError(options, config, err);
                reject(err);
            }
        });
    }
} // class ChatSessionRestApi
exports.ChatSessionRestApi = ChatSessionRestApi;
