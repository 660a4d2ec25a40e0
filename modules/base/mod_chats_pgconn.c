/* A background thread's own PostgreSQL connection (mod_chats_pgconn.h). */
#include <apr_strings.h>
#include <poll.h>
#include <string.h>

#include <libpq-events.h>

#include "mod_chats_pgconn.h"
#include "mod_chats_private.h"

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* The statements chats_pgconn_run has prepared on a connection, as its
 * libpq instance data: the deliverer's claim is planned once per
 * connection, not at every turn (planning it cost more than running it).
 * A statement past MAX_PREPARED runs unprepared. */
#define MAX_PREPARED 24

typedef struct {
    int n;
    const char *sql[MAX_PREPARED];
} prepared_t;

static int conn_event(PGEventId id, void *info, void *pass)
{
    (void)pass;
    if (id == PGEVT_CONNRESET) {     /* a new backend has none of them */
        prepared_t *pr = PQinstanceData(((PGEventConnReset *)info)->conn,
                                        conn_event);

        if (pr) {
            pr->n = 0;
        }
    }
    return 1;                        /* the data is the open's pool's */
}

/* Attach an empty prepared_t from p (which outlives c) to c. */
static void track_prepared(PGconn *c, apr_pool_t *p)
{
    if (PQregisterEventProc(c, conn_event, "mod_chatsession", NULL)) {
        PQsetInstanceData(c, conn_event, apr_pcalloc(p, sizeof(prepared_t)));
    }
}

static int stops(volatile apr_uint32_t *stopping)
{
    return apr_atomic_read32(stopping) != 0;
}

PGconn *chats_pgconn_open(server_rec *s, const char *conninfo,
                          const char *appname, int wake_fd,
                          volatile apr_uint32_t *stopping,
                          const char **pwhy, apr_pool_t *p)
{
    /* Later keywords win: the conninfo overrides the keepalives and
     * the server kind, not the application name that tests and DBAs
     * find the thread by. With several hosts and no
     * target_session_attrs, libpq would stay on the first one that
     * answers, a standby after a failover. */
    static const char *const keys[] = {
        "keepalives_idle", "keepalives_interval", "keepalives_count",
        "target_session_attrs", "dbname", "application_name", NULL
    };
    const char *vals[] = { "30", "10", "3", "primary", conninfo, appname,
                           NULL };
    PGconn *c = PQconnectStartParams(keys, vals, 1);
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    apr_time_t deadline = apr_time_now()
        + chats_dbconf_connect_bound(s, conninfo);

    *pwhy = "out of memory";
    while (c && PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK
           && st != PGRES_POLLING_FAILED) {
        struct pollfd pf[2] = {
            { PQsocket(c), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0 },
            { wake_fd, POLLIN, 0 }
        };

        if (stops(stopping) || apr_time_now() > deadline) {
            *pwhy = "timeout";
            PQfinish(c);
            return NULL;
        }
        (void)poll(pf, 2, 1000);
        if (pf[0].revents) {
            st = PQconnectPoll(c);
        }
    }
    if (c && PQstatus(c) == CONNECTION_OK) {
        PQsetNoticeProcessor(c, quiet, NULL);
        track_prepared(c, p);
        return c;
    }
    *pwhy = c ? apr_pstrdup(p, PQerrorMessage(c)) : *pwhy;
    PQfinish(c);
    return NULL;
}

const char *chats_pgconn_one_line(apr_pool_t *p, const char *msg)
{
    char *s = apr_pstrdup(p, msg ? msg : ""), *c;

    for (c = s; *c; c++) {
        if (*c == '\n' || *c == '\r' || *c == '\t') {
            *c = ' ';
        }
    }
    while (c > s && c[-1] == ' ') {
        *--c = '\0';
    }
    return s;
}

/* The name sql is prepared under on c, preparing it now if need be;
 * NULL when it is to run unprepared, or (*pfailed) preparing failed. */
static const char *prepared_name(PGconn *c, const char *sql, int n,
                                 PGresult **pfailed, apr_pool_t *p)
{
    prepared_t *pr = PQinstanceData(c, conn_event);
    PGresult *res;
    int i;

    for (i = 0; pr && i < pr->n; i++) {
        if (pr->sql[i] == sql || !strcmp(pr->sql[i], sql)) {
            return apr_psprintf(p, "chats_bg%d", i);
        }
    }
    if (!pr || pr->n == MAX_PREPARED) {
        return NULL;
    }
    res = PQprepare(c, apr_psprintf(p, "chats_bg%d", pr->n), sql, n, NULL);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        *pfailed = res;
        return NULL;
    }
    PQclear(res);
    pr->sql[pr->n] = sql;
    return apr_psprintf(p, "chats_bg%d", pr->n++);
}

PGresult *chats_pgconn_run(PGconn *c, const char *sql, int n,
                           const char *const *params, const char **pwhy,
                           apr_pool_t *p)
{
    PGresult *res = NULL;
    const char *name = prepared_name(c, sql, n, &res, p);
    ExecStatusType st;

    if (!res) {
        res = name ? PQexecPrepared(c, name, n, params, NULL, NULL, 0)
                   : PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    }
    st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        return res;
    }
    *pwhy = chats_pgconn_one_line(p, PQerrorMessage(c));
    PQclear(res);
    return NULL;
}

const char *chats_pgconn_col(PGresult *res, int row, const char *name)
{
    int i = PQfnumber(res, name);

    return i < 0 || PQgetisnull(res, row, i) ? NULL
                                             : PQgetvalue(res, row, i);
}
