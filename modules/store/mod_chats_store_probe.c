/* Why mod_dbd gave no connection. mod_dbd logs its driver's message and
 * hands us NULL, the same NULL for "PostgreSQL is restarting" (503, retry
 * later) and "the password is wrong" (500: retrying never helps, the
 * administrator must act). So we ask PostgreSQL ourselves, with the
 * server's own DBDParams, once per few seconds per process, and read the
 * SQLSTATE it refused us with, which libpq puts in the message in verbose
 * mode (sqlstate_of: whatever the server's lc_messages).
 *
 * One request at a time connects for a given DBDParams, and it holds no
 * lock meanwhile (a connect may take the whole connect bound): the others
 * answer from the last verdict, or as an outage (503) while there is none
 * yet. The verdicts live in a pool of their own, allocated from under
 * their own lock only. */
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "chats_sql.h"
#include "mod_chats_store_private.h"

/* A verdict holds this long: a storm of failing requests costs PostgreSQL
 * one connection attempt per process per interval. */
#define PROBE_TTL apr_time_from_sec(5)

/* Refusals that only an administrator can end, with the fix to name. */
static const struct {
    const char *sqlstate;
    const char *fix;
} permanent[] = {
    { "28P01", "the password in DBDParams is wrong for this role" },
    { "28000", "the role in DBDParams does not exist, or pg_hba.conf "
               "lets it not connect from here" },
    { "3D000", "the database in DBDParams does not exist: create it, "
               "then run `chatsession-db upgrade`" },
    { "42501", "the role in DBDParams may not connect to this database "
               "(GRANT CONNECT)" },
};

/* libpq's own refusals, before PostgreSQL is asked anything. */
static const struct {
    const char *text;
    const char *fix;
} client_side[] = {
    { "no password supplied", "PostgreSQL wants a password and DBDParams "
                              "has none (password=, or passfile=)" },
    { "invalid connection option", "DBDParams is not a valid libpq "
                                   "connection string" },
    { "missing \"=\" after", "DBDParams is not a valid libpq connection "
                             "string" },
    { "invalid sslmode value", "DBDParams has an invalid sslmode" },
};

typedef struct {
    apr_time_t when;                  /* 0: no verdict yet              */
    const char *fix;                  /* NULL: not permanent           */
    int version;                      /* when PostgreSQL took us: the
                                         schema version, -1 unknown   */
    int probing;                      /* a request is connecting now   */
    char cause[512];                  /* PostgreSQL's (or libpq's) text */
} chats_probe_t;

/* Per process: DBDParams -> its chats_probe_t. */
struct chats_probe_proc_t {
    apr_pool_t *pool;                 /* ours: allocated under lock only */
    apr_thread_mutex_t *lock;
    apr_hash_t *probes;
};

static int is_sqlstate(const char *s)
{
    int i;

    for (i = 0; i < 5; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z'))) {
            return 0;
        }
    }
    return s[5] == ':';
}

/* The SQLSTATE in a verbose message. libpq writes a server's error as
 * "<severity>:  <SQLSTATE>: <text>", the severity in the server's
 * lc_messages ("FATAL", "FATALE", "FATALT", "ВАЖНО", ...), the rest of
 * the format in no language: so the first ":  " that five digits or
 * capitals and a ':' follow, whatever stands before it. */
static const char *sqlstate_of(const char *msg, char *buf)
{
    const char *s;

    for (s = strstr(msg, ":  "); s; s = strstr(s + 1, ":  ")) {
        if (is_sqlstate(s + 3)) {
            memcpy(buf, s + 3, 5);
            buf[5] = '\0';
            return buf;
        }
    }
    return NULL;
}

/* The schema version of the database c is connected to: 0 without the
 * version table (an empty database), -1 when it cannot be told. */
static int schema_version(PGconn *c)
{
    PGresult *res = PQexec(c, CHATS_SQL_SCHEMA_VERSION);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE)
                            : NULL;
    int version = -1;

    if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
        version = atoi(PQgetvalue(res, 0, 0));
    }
    else if (state && !strcmp(state, "42P01")) {
        version = 0;
    }
    PQclear(res);
    return version;
}

/* Connect once, without blocking longer than the connect bound; the
 * message of the failure, or NULL when PostgreSQL took us (and then
 * *pversion is the database's schema version, as schema_version). */
static const char *try_connect(apr_pool_t *p, const server_rec *s,
                               const char *params, int *pversion)
{
    PGconn *c = PQconnectStart(params);
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    apr_time_t deadline = apr_time_now()
                          + chats_dbconf_connect_bound(s, params);
    const char *msg = NULL;

    if (!c) {
        return "out of memory";
    }
    PQsetErrorVerbosity(c, PQERRORS_VERBOSE);
    while (PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK
           && st != PGRES_POLLING_FAILED) {
        struct pollfd pfd = { PQsocket(c), st == PGRES_POLLING_READING
                              ? POLLIN : POLLOUT, 0 };
        apr_interval_time_t left = deadline - apr_time_now();

        if (left <= 0 || poll(&pfd, 1, (int)apr_time_as_msec(left)) <= 0) {
            msg = "timeout";
            break;
        }
        st = PQconnectPoll(c);
    }
    if (!msg && (PQstatus(c) == CONNECTION_BAD || st == PGRES_POLLING_FAILED)) {
        msg = apr_pstrdup(p, PQerrorMessage(c));
    }
    *pversion = msg ? -1 : schema_version(c);
    PQfinish(c);
    return msg;
}

static const char *fix_for(const char *msg)
{
    char buf[6];
    const char *state = sqlstate_of(msg, buf);
    size_t i;

    for (i = 0; state && i < sizeof(permanent) / sizeof(permanent[0]); i++) {
        if (!strcmp(state, permanent[i].sqlstate)) {
            return permanent[i].fix;
        }
    }
    for (i = 0; !state && i < sizeof(client_side) / sizeof(client_side[0]);
         i++) {
        if (strstr(msg, client_side[i].text)) {
            return client_side[i].fix;
        }
    }
    return NULL;
}

/* One line for the log, in buf: libpq's message has newlines (and, in
 * verbose mode, a LOCATION line). */
static void one_line(char *buf, apr_size_t size, const char *msg)
{
    char *c;

    apr_cpystrn(buf, msg, size);
    for (c = buf; *c; c++) {
        if (*c == '\n' || *c == '\r' || *c == '\t') {
            *c = ' ';
        }
    }
    while (c > buf && c[-1] == ' ') {
        *--c = '\0';
    }
}

/* A new verdict in pr, logged once (not per request). */
static void judge(request_rec *r, chats_probe_t *pr, const char *params)
{
    const char *msg = try_connect(r->pool, r->server, params, &pr->version);

    pr->when = apr_time_now();
    pr->fix = msg ? fix_for(msg) : NULL;
    if (pr->fix) {
        pr->version = -1;
        one_line(pr->cause, sizeof(pr->cause), msg);
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(358)
                      "server misconfigured: PostgreSQL refuses mod_dbd's "
                      "connection: %s (%s)", pr->fix, pr->cause);
    }
    else if (!msg && pr->version >= 0
             && pr->version != CHATS_SCHEMA_VERSION) {
        /* mod_dbd fails to prepare a DBDPrepareSQL/AuthDBDUserPWQuery on
         * a database without our schema, before our own check can run */
        pr->fix = "run `chatsession-db upgrade`";
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, CHATS_LOGNO(361)
                      "server misconfigured: the database schema is version "
                      "%d, this module needs version %d, and mod_dbd cannot "
                      "set its connections up: %s", pr->version,
                      CHATS_SCHEMA_VERSION, pr->fix);
    }
    else {
        pr->version = -1;
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(360)
                      "mod_dbd found no connection; PostgreSQL %s",
                      msg ? apr_pstrcat(r->pool, "is not reachable: ", msg,
                                        NULL)
                          : "takes one now (mod_dbd's own log line says "
                            "why it did not)");
    }
}

/* The verdict on params, made now when it is stale and no other request
 * is making it; a copy in *pv (pv->when == 0: none yet). */
static void verdict_for(request_rec *r, chats_probe_proc_t *pp,
                        const char *params, chats_probe_t *pv)
{
    chats_probe_t *pr;
    int mine = 0;

    apr_thread_mutex_lock(pp->lock);
    pr = apr_hash_get(pp->probes, params, APR_HASH_KEY_STRING);
    if (!pr) {
        pr = apr_pcalloc(pp->pool, sizeof(*pr));
        apr_hash_set(pp->probes, apr_pstrdup(pp->pool, params),
                     APR_HASH_KEY_STRING, pr);
    }
    if (!pr->probing && (!pr->when || apr_time_now() - pr->when > PROBE_TTL)) {
        pr->probing = mine = 1;
    }
    *pv = *pr;
    apr_thread_mutex_unlock(pp->lock);
    if (!mine) {
        return;
    }
    judge(r, pv, params);               /* no lock held: it connects */
    pv->probing = 0;
    apr_thread_mutex_lock(pp->lock);
    *pr = *pv;
    apr_thread_mutex_unlock(pp->lock);
}

chats_err_t *chats_store_probe(request_rec *r, const chats_store_env_t *env)
{
    chats_probe_proc_t *pp = env->probe;
    const char *params = chats_dbconf_params(r->server);
    chats_probe_t verdict;

    if (!pp || !params) {
        return NULL;
    }
    verdict_for(r, pp, params, &verdict);
    if (!verdict.fix) {
        return NULL;
    }
    if (verdict.version >= 0) {
        return chats_err_make(r->pool, CHATS_E_MISCONFIGURED, NULL,
                              "server misconfigured: the database schema is "
                              "version %d, this module needs version %d; the "
                              "administrator must run `chatsession-db "
                              "upgrade`", verdict.version,
                              CHATS_SCHEMA_VERSION);
    }
    return chats_err_make(r->pool, CHATS_E_MISCONFIGURED, NULL,
                          "server misconfigured: the database refuses the "
                          "module's connection; the error log names the "
                          "cause");
}

chats_probe_proc_t *chats_store_probe_make(apr_pool_t *pchild,
                                           server_rec *s)
{
    chats_probe_proc_t *pp = apr_pcalloc(pchild, sizeof(*pp));
    apr_status_t rv;

    if ((rv = chats_proc_pool_create(&pp->pool, pchild, "chats_probes"))
        != APR_SUCCESS
        || (rv = apr_thread_mutex_create(&pp->lock, APR_THREAD_MUTEX_DEFAULT,
                                         pchild)) != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s, CHATS_LOGNO(430)
                     "cannot set up the database probe: a refused "
                     "connection will answer 503, not 500");
        return NULL;
    }
    pp->probes = apr_hash_make(pp->pool);
    return pp;
}
