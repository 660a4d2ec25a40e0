/* Idempotency-Key (draft-ietf-httpapi-idempotency-key-header; README
 * "Retrying writes safely"): the creates and the actions that write
 * record the key, per associate, in the same statement as their write
 * (core/sql/chats_sql.h, CHATS_SQL_IDEM_CTES), with the request's fingerprint,
 * the answer's status and the entity's id. A repeat gets that answer,
 * the entity as it is now, and writes nothing; the key with another
 * request is 422. The handlers run their keyed statements and render
 * their answers; this file reads the header, makes the fingerprint, and
 * looks up and records keys. Glue. */
#ifndef CHATS_IDEMPOTENCY_H
#define CHATS_IDEMPOTENCY_H

#include "mod_chats_resource.h"

/** A request's key, as its statements take it. */
typedef struct {
    const char *key;      /**< the key (a structured string unquoted)    */
    const char *fp;       /**< SHA-256 of method, route, target and body,
                               as hex                                    */
    const char *assoc;    /**< the caller's associate id, decimal        */
    const char *status;   /**< the answer's status the write records     */
} chats_idem_t;

/** What a key holds, when a live one answered. */
typedef struct {
    int found;            /**< a live key answered: replay it            */
    int status;
    const char *entity;   /**< the entity's id, NULL: a null answer       */
} chats_idem_hit_t;

/**
 * The request's key, after the rights are checked and the body is read:
 * *pk NULL when it carries none or its route takes none (the header is
 * ignored there: PUT, PATCH, DELETE and the reads). CHATS_E_INVALID
 * naming Idempotency-Key when it is empty, longer than
 * CHATS_IDEM_KEY_MAX bytes, not printable ASCII, or a malformed
 * structured string.
 * @param body  the body as read (REST), NULL when none; an agent call's
 *              fingerprint is its own body's (q->agent_body)
 */
chats_err_t *chats_idem_start(chats_req_t *q, const chats_doc_t *body,
                              chats_idem_t **pk);

/** Append k's four parameters (associate, key, fingerprint, status) to
 * values and types at n; returns n + 4. */
int chats_idem_params(const chats_idem_t *k, const char **values,
                      chats_ptype_e *types, int n);

/** Whether e is a keyed write undone by a live key of the same name
 * (the store's CHATS_E_KEY_REUSED): answer what the key holds. */
int chats_idem_taken(const chats_err_t *e);

/**
 * What the key holds now: hit->found when a live key answers with this
 * request's fingerprint; CHATS_E_KEY_REUSED (422) when it holds another
 * request's.
 */
chats_err_t *chats_idem_lookup(chats_req_t *q, const chats_idem_t *k,
                               chats_idem_hit_t *hit);

/** After chats_idem_taken: the key's answer; 503 in the rare case that
 * it expired in between (the client sends it again). */
chats_err_t *chats_idem_after_taken(chats_req_t *q, const chats_idem_t *k,
                                    chats_idem_hit_t *hit);

/**
 * Record the answer of a keyed request that wrote nothing (status 200,
 * entity the id answered, NULL for a null answer). hit->found when a
 * live key of that name was there first (a concurrent request with it
 * committed): answer that instead; 422 when it holds another request.
 */
chats_err_t *chats_idem_record(chats_req_t *q, const chats_idem_t *k,
                               const char *entity, chats_idem_hit_t *hit);

/** Mark the response as a replay (Idempotent-Replayed: true) with the
 * stored status, before the entity is sent. */
void chats_idem_replayed(chats_req_t *q, const chats_idem_hit_t *hit);

/** The same for an answer with an entity, read again into rows (NULL
 * when not read): CHATS_E_NOT_FOUND naming what ("ChatSession",
 * "ChatMessage") instead when it no longer exists. */
chats_err_t *chats_idem_replayed_entity(chats_req_t *q,
                                        const chats_idem_hit_t *hit,
                                        const char *what,
                                        const chats_rows_t *rows);

#endif
