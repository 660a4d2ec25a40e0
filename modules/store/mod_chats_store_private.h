/* What the store's files share: the store of a request, and the test
 * build's fault injection (mod_chats_store_fault.c). Store-internal. */
#ifndef CHATS_STORE_PRIVATE_H
#define CHATS_STORE_PRIVATE_H

#include <libpq-fe.h>

#include "mod_chats_store_open.h"

struct chats_store_t {
    request_rec *r;
    ap_dbd_t *dbd;
    PGconn *conn;
    const chats_store_env_t *env;  /* the statements, the directives */
    int reset_on_close;            /* a read-only server answered: the
                                      next request looks for the primary */
};

/** CHATS_E_DB_DOWN, logged with what failed and libpq's message. */
chats_err_t *chats_store_db_down(chats_store_t *st, const char *what);

/** An error PostgreSQL reported (res), as one of ours. */
chats_err_t *chats_store_map_error(chats_store_t *st, PGresult *res);

/** Whether the connection is lost (state: the SQLSTATE, if any). */
int chats_store_conn_error(PGconn *conn, const char *state);

/** Before the connection goes back to mod_dbd: a transaction left open
 * (a path that returned early) is rolled back; a connection busy with a
 * statement, lost, or that met a read-only server is reset. */
void chats_store_settle(chats_store_t *st);

/** After mod_dbd gave no connection: CHATS_E_MISCONFIGURED, the cause
 * logged, when PostgreSQL refuses the server's DBDParams for good (a
 * wrong password, no such role or database); NULL when it is unreachable
 * or busy, which is a 503 (mod_chats_store_probe.c). */
chats_err_t *chats_store_probe(request_rec *r, const chats_store_env_t *env);

/** The label of a statement in logs and traces. */
const char *chats_store_label(const chats_stmt_t *stmt);

/** Run a declared statement (chats_store_exec's rules); *pres in
 * r->pool. */
chats_err_t *chats_store_run(chats_store_t *st, const chats_stmt_t *stmt,
                             int nparams, const char *const *params,
                             const Oid *types, PGresult **pres);

/* ---- fault injection: the test build only (--enable-fault-injection) */

typedef enum {
    CHATS_FAULT_NONE,
    CHATS_FAULT_TERMINATE,       /**< the backend terminated before it */
    CHATS_FAULT_DROP,            /**< the connection dropped while it runs */
    CHATS_FAULT_ERROR            /**< it raises an error (40P01)         */
} chats_fault_e;

#ifdef CHATS_FAULT_INJECTION
/** Count the request's statement stmt (its label traced in the response
 * header Chats-Statements) and say how it is to fail: the request's
 * Chats-Fault header, "N kind", names the Nth statement. */
chats_fault_e chats_store_fault_next(chats_store_t *st,
                                     const chats_stmt_t *stmt);

/** Terminate the connection's backend from a second connection, and wait
 * until it is gone. */
void chats_store_fault_terminate(chats_store_t *st);

/** Send the statement, then close the socket while it runs: the result
 * libpq makes of the lost connection. */
PGresult *chats_store_fault_drop(chats_store_t *st, const chats_stmt_t *stmt,
                                 const char *name, int nparams,
                                 const char *const *params, const Oid *types);

/** Instead of the statement, one that raises deadlock_detected. */
PGresult *chats_store_fault_error(chats_store_t *st);

/** Note, in the response header Chats-Pool-Txn, the transaction status of
 * the connection the request took from the pool; count the connections
 * the request holds (Chats-Pool-Held-Max: the most at once). */
void chats_store_fault_acquired(chats_store_t *st);

/** The request gives its connection back (the count above). */
void chats_store_fault_released(chats_store_t *st);

/** Rendering starts: the statements run so far, in the response header
 * Chats-Render-At. */
void chats_store_fault_rendering(request_rec *r);
#else
#define chats_store_fault_next(st, stmt) CHATS_FAULT_NONE
#define chats_store_fault_terminate(st) ((void)0)
#define chats_store_fault_drop(st, stmt, name, n, params, types) NULL
#define chats_store_fault_error(st) NULL
#define chats_store_fault_acquired(st) ((void)0)
#define chats_store_fault_released(st) ((void)0)
#define chats_store_fault_rendering(r) ((void)0)
#endif

#endif
