/* Fault injection, compiled into the test build only (configure
 * --enable-fault-injection, which ./check passes; never ./serve's build
 * nor the Debian package's): a request's Chats-Fault header, "N kind",
 * makes the Nth statement the store runs for it fail in one of the ways
 * a database fails under a request. t/api/fault_matrix.t walks every
 * writing route through every statement and every kind:
 *   terminate  the backend is terminated (pg_terminate_backend, from a
 *              second connection) before the statement is sent;
 *   drop       the statement is sent, then the connection is closed
 *              before a byte of its answer is read: whether it
 *              committed is unknown to us;
 *   error      the statement raises an error (deadlock_detected).
 * Every statement's label is traced in the response header
 * Chats-Statements, so a test learns how many a route runs; how many
 * had run when rendering started is Chats-Render-At
 * (chats_store_rendering), the most pooled connections the request held
 * at once Chats-Pool-Held-Max. */
#include "mod_chats_store_private.h"

#ifdef CHATS_FAULT_INJECTION

#include <apr_strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FAULT_KEY "chats-fault"

/* Per request (in r->pool): a store opened again in the same request
 * goes on counting. */
typedef struct {
    int n;
    chats_fault_e kind;
    int count;
    const char *trace;
    int held;                    /* pooled connections held now */
    int held_max;                /* and the most at once */
} fault_req_t;

static fault_req_t *fault_req(request_rec *r)
{
    fault_req_t *f = NULL;
    const char *h, *kind;

    apr_pool_userdata_get((void **)&f, FAULT_KEY, r->pool);
    if (f) {
        return f;
    }
    f = apr_pcalloc(r->pool, sizeof(*f));
    f->trace = "";
    if ((h = apr_table_get(r->headers_in, "Chats-Fault")) != NULL) {
        f->n = atoi(h);
        kind = strchr(h, ' ');
        kind = kind ? kind + 1 : "";
        f->kind = !strcmp(kind, "terminate") ? CHATS_FAULT_TERMINATE
                : !strcmp(kind, "drop") ? CHATS_FAULT_DROP
                : !strcmp(kind, "error") ? CHATS_FAULT_ERROR
                : CHATS_FAULT_NONE;
    }
    apr_pool_userdata_setn(f, FAULT_KEY, NULL, r->pool);
    return f;
}

chats_fault_e chats_store_fault_next(chats_store_t *st,
                                     const chats_stmt_t *stmt)
{
    request_rec *r = st->r;
    fault_req_t *f = fault_req(r);

    /* authentication's own statements come before the route's, and only
     * for a credential this process has not cached: not the route's */
    if (stmt->name && (!strcmp(stmt->name, "chats_password")
                       || !strcmp(stmt->name, "chats_caller_lookup")
                       || !strcmp(stmt->name, "chats_ticket_caller"))) {
        return CHATS_FAULT_NONE;
    }
    f->count++;
    f->trace = apr_pstrcat(r->pool, f->trace, *f->trace ? "," : "",
                           chats_store_label(stmt), NULL);
    apr_table_set(r->err_headers_out, "Chats-Statements", f->trace);
    if (f->count != f->n || f->kind == CHATS_FAULT_NONE) {
        return CHATS_FAULT_NONE;
    }
    apr_table_set(r->err_headers_out, "Chats-Fault-Hit",
                  chats_store_label(stmt));
    return f->kind;
}

void chats_store_fault_terminate(chats_store_t *st)
{
    PQconninfoOption *opts = PQconninfo(st->conn), *o;
    const char **keys, **vals, *pid;
    PGconn *killer;
    PGresult *res;
    int n = 0;

    for (o = opts; o && o->keyword; o++) {
        n++;
    }
    keys = apr_pcalloc(st->r->pool, (n + 1) * sizeof(*keys));
    vals = apr_pcalloc(st->r->pool, (n + 1) * sizeof(*vals));
    for (n = 0, o = opts; o && o->keyword; o++) {
        if (o->val && *o->val) {
            keys[n] = o->keyword;
            vals[n++] = o->val;
        }
    }
    pid = apr_itoa(st->r->pool, PQbackendPID(st->conn));
    killer = PQconnectdbParams(keys, vals, 0);
    res = PQstatus(killer) == CONNECTION_OK
          ? PQexecParams(killer, "SELECT pg_terminate_backend($1::int4, "
                         "10000)", 1, NULL, &pid, NULL, NULL, 0) : NULL;
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, st->r, CHATS_LOGNO(410)
                  "fault injected: backend %s terminated: %s", pid,
                  res && PQresultStatus(res) == PGRES_TUPLES_OK
                  ? PQgetvalue(res, 0, 0) : PQerrorMessage(killer));
    PQclear(res);
    PQfinish(killer);
    PQconninfoFree(opts);
}

/* shutdown() alone is a race: Linux still hands recv() an answer that
 * arrived before it, so a quick statement's answer was sometimes read
 * and the "dropped" request answered 200. Closing the TCP socket under
 * libpq's descriptor (a socketpair whose peer is gone takes its number)
 * loses every byte of the answer: libpq reads end-of-file, always. */
static void lose_answer(int fd)
{
    int pair[2];

    if (fd < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0) {
        shutdown(fd, SHUT_RDWR);
        return;
    }
    close(pair[1]);
    if (dup2(pair[0], fd) < 0) {
        shutdown(fd, SHUT_RDWR);
    }
    close(pair[0]);
}

PGresult *chats_store_fault_drop(chats_store_t *st, const chats_stmt_t *stmt,
                                 const char *name, int nparams,
                                 const char *const *params, const Oid *types)
{
    PGresult *res, *last = NULL;
    int sent;

    /* blocking connection: the whole statement is on the wire when the
     * send returns, and PostgreSQL runs it to its end (it does not look
     * at the socket meanwhile) */
    sent = name ? PQsendQueryPrepared(st->conn, name, nparams, params,
                                      NULL, NULL, 0)
                : PQsendQueryParams(st->conn, stmt->sql, nparams, types,
                                    params, NULL, NULL, 0);
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, st->r, CHATS_LOGNO(411)
                  "fault injected: connection dropped under %s (%s)",
                  chats_store_label(stmt), sent ? "sent" : "not sent");
    lose_answer(PQsocket(st->conn));
    while ((res = PQgetResult(st->conn)) != NULL) {
        PQclear(last);
        last = res;
    }
    return last;
}

PGresult *chats_store_fault_error(chats_store_t *st)
{
    ap_log_rerror(APLOG_MARK, APLOG_WARNING, 0, st->r, CHATS_LOGNO(412)
                  "fault injected: a statement raises an error");
    return PQexec(st->conn, "DO $$BEGIN RAISE EXCEPTION 'injected fault'"
                  " USING ERRCODE = '40P01'; END$$");
}

void chats_store_fault_rendering(request_rec *r)
{
    apr_table_set(r->err_headers_out, "Chats-Render-At",
                  apr_itoa(r->pool, fault_req(r)->count));
}

void chats_store_fault_released(chats_store_t *st)
{
    fault_req(st->r)->held--;
}

void chats_store_fault_acquired(chats_store_t *st)
{
    fault_req_t *f = fault_req(st->r);

    if (++f->held > f->held_max) {
        f->held_max = f->held;
    }
    apr_table_set(st->r->err_headers_out, "Chats-Pool-Held-Max",
                  apr_itoa(st->r->pool, f->held_max));
    static const char *const names[] = {
        "idle", "active", "intrans", "inerror", "unknown"
    };
    int s = (int)PQtransactionStatus(st->conn);

    if (!apr_table_get(st->r->err_headers_out, "Chats-Pool-Txn")) {
        apr_table_setn(st->r->err_headers_out, "Chats-Pool-Txn",
                       s >= 0 && s <= 4 ? names[s] : "unknown");
    }
}

#else
/* ISO C wants something in a translation unit. */
typedef int chats_store_fault_none_t;
#endif
