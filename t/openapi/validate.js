#!/usr/bin/env node
// Validates an OpenAPI 3.1 document (conf/openapi.json) for ./check:
//
//   node t/openapi/validate.js DOC.json [--instance SCHEMA FILE.json]...
//
// 1. The document against the OpenAPI 3.1 JSON Schema
//    (@seriousme/openapi-schema-validator), and every $ref resolves.
// 2. That schema skips Schema Objects, so each components/schemas entry is
//    compiled with Ajv's JSON Schema 2020-12 in strict mode (unknown
//    keywords, malformed types or formats are errors), the OpenAPI
//    keywords (xml, discriminator, example, externalDocs) declared.
// 3. Each --instance FILE is validated against components/schemas/SCHEMA;
//    a file holding {"valid": [...], "invalid": [...]} checks that every
//    "valid" value passes and every "invalid" one fails.
//
// Prints one "ok"/"not ok" line per check; exits 1 if any failed, 2 on
// usage errors.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule.default || addFormatsModule;
const OAS_KEYWORDS = ["xml", "discriminator", "example", "externalDocs"];
const BASE = "https://mod-chatsession.invalid/openapi";

let failed = 0;
function report(ok, what, detail) {
  console.log(`${ok ? "ok" : "not ok"} - ${what}`);
  if (!ok) {
    failed++;
    if (detail) {
      console.log(JSON.stringify(detail, null, 2).replace(/^/gm, "# "));
    }
  }
}

function readJSON(path) {
  return JSON.parse(readFileSync(path, "utf8"));
}

const args = process.argv.slice(2);
if (args.length < 1 || (args.length - 1) % 3 !== 0) {
  console.error("usage: validate.js DOC.json "
                + "[--instance SCHEMA FILE.json]...");
  process.exit(2);
}
const docPath = args[0];
const doc = readJSON(docPath);

// 1. The OpenAPI document itself.
const validator = new Validator();
// (resolveRefs replaces the $refs in what it was given: pass a copy.)
const res = await validator.validate(structuredClone(doc));
report(res.valid && validator.version === "3.1",
       `${docPath} is a valid OpenAPI ${validator.version} document`,
       res.errors);
try {
  validator.resolveRefs();
  report(true, "every $ref resolves");
} catch (e) {
  report(false, "every $ref resolves", String(e));
}

// 2. Every component schema, as strict JSON Schema 2020-12. Their refs
// point into #/components/schemas; the wrapper holds them as $defs.
// strictRequired is off: it would refuse `then: {required: ["value"]}`,
// valid JSON Schema whose property is declared beside the `if`.
const ajv = new Ajv2020({ strict: true, strictRequired: false,
                          allowUnionTypes: true, allErrors: true });
addFormats(ajv);
ajv.addVocabulary(OAS_KEYWORDS);
const schemas = (doc.components && doc.components.schemas) || {};
const defs = JSON.parse(JSON.stringify(schemas).replaceAll(
  '"#/components/schemas/', `"${BASE}#/$defs/`));
try {
  ajv.addSchema({ $id: BASE, $defs: defs });
  report(true, "components/schemas are JSON Schema 2020-12");
} catch (e) {
  report(false, "components/schemas are JSON Schema 2020-12", String(e));
}
const compiled = {};
for (const name of Object.keys(schemas)) {
  try {
    compiled[name] = ajv.getSchema(`${BASE}#/$defs/${name}`);
    report(typeof compiled[name] === "function",
           `schema ${name} compiles (strict)`);
  } catch (e) {
    report(false, `schema ${name} compiles (strict)`, String(e));
  }
}

// 3. Instances.
for (let i = 1; i < args.length; i += 3) {
  const [flag, name, file] = args.slice(i, i + 3);
  const check = compiled[name];
  if (flag !== "--instance" || !check) {
    report(false, `${flag} ${name}: no such option or schema`);
    continue;
  }
  const data = readJSON(file);
  const cases = data && typeof data === "object" && !Array.isArray(data)
    && ("valid" in data || "invalid" in data)
    ? data : { valid: [data], invalid: [] };
  (cases.valid || []).forEach((v, n) => {
    report(check(v), `${file} valid[${n}] matches ${name}`, check.errors);
  });
  (cases.invalid || []).forEach((v, n) => {
    report(!check(v), `${file} invalid[${n}] is refused by ${name}`);
  });
}
process.exit(failed ? 1 : 0);
