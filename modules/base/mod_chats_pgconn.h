/* A background thread's own PostgreSQL connection (the long-poll
 * listener's, the webhook deliverer's): never a pooled one, since each
 * holds session state (LISTEN, an advisory lock) and waits on things a
 * request must not wait on. */
#ifndef MOD_CHATS_PGCONN_H
#define MOD_CHATS_PGCONN_H

#include <apr_atomic.h>
#include <apr_pools.h>
#include <libpq-fe.h>

#include "httpd.h"

/**
 * Connect to conninfo, named appname in pg_stat_activity, on a primary
 * (target_session_attrs=primary unless conninfo says otherwise), with
 * keepalives; non-blocking, so that a thread whose child stops (stopping
 * set, a byte on wake_fd) does not wait for an unreachable host, and
 * bounded as every connect (chats_dbconf_connect_bound). Notices are
 * dropped: a backend's farewell would go to stderr.
 * @return the connection, or NULL with *pwhy (in p) saying why
 */
PGconn *chats_pgconn_open(server_rec *s, const char *conninfo,
                          const char *appname, int wake_fd,
                          volatile apr_uint32_t *stopping,
                          const char **pwhy, apr_pool_t *p);

/** msg on one line, without trailing blanks (libpq's end in newlines),
 * for the error log. */
const char *chats_pgconn_one_line(apr_pool_t *p, const char *msg);

/** Run sql with params on c, one statement outside any transaction (the
 * deliverer's, its test pings'): the result when it went well (the
 * caller clears it), else NULL and *pwhy (in p). sql is prepared on c
 * the first time (c must come from chats_pgconn_open): sql is one of
 * the module's constant statements, never text made per call. */
PGresult *chats_pgconn_run(PGconn *c, const char *sql, int n,
                           const char *const *params, const char **pwhy,
                           apr_pool_t *p);

/** Column name of row of res: its text, NULL for SQL NULL. */
const char *chats_pgconn_col(PGresult *res, int row, const char *name);

#endif
