/* Long polling (README "Long polling"). A waiting request takes a slot in
 * a fixed per-process table and sleeps on its own condition variable,
 * holding no pooled connection; one thread per process (per distinct
 * conninfo) LISTENs on PostgreSQL and wakes the slots whose session got
 * a message. httpd 2.4 handlers cannot suspend, so a waiting request
 * still holds its worker thread: the table is smaller than
 * ThreadsPerChild so that ordinary requests keep threads of their own.
 *
 * Whatever goes wrong makes a waiter poll more, never miss a message:
 * without a working listener (connecting, lost, prefork) it polls the
 * statement once a second, and every (re)connect of the listener wakes
 * all of its waiters, since notifications sent meanwhile were lost.
 * A failover (README "High availability") is such a loss: LISTEN is
 * refused on a standby and notifications are not replicated, so the
 * listener connects to whichever server takes writes, and a waiter
 * rides through the seconds without a primary by polling again. */
#include <apr_atomic.h>
#include <apr_strings.h>
#include <apr_thread_cond.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ap_mpm.h"
#include "http_main.h"
#include "mpm_common.h"

#include "chats_message_schema.h"
#include "mod_chats_listen.h"
#include "mod_chats_pgconn.h"
#include "mod_chats_store_open.h"

#define LISTEN_APPNAME "mod_chatsession-listen"
/* Polling period of a waiter without a working listener. */
#define FALLBACK_STEP apr_time_from_sec(1)
#define BACKOFF_MAX_S 30
/* After losing a connection that had been up, retry once a second this
 * long before backing off: a failover promotes a standby within
 * Patroni's ttl (30 s by default). */
#define FAILOVER_WINDOW apr_time_from_sec(30)

typedef struct chats_listener_t chats_listener_t;
typedef struct chats_listen_proc_t chats_listen_proc_t;

typedef struct {
    apr_int32_t sid;
    apr_int64_t after;              /* wake for message ids above this */
    chats_listener_t *ln;           /* NULL: no conninfo, poll only     */
    int used, fired;
    apr_thread_cond_t *cv;
} chats_waiter_t;

struct chats_listener_t {
    chats_listen_proc_t *proc;
    const char *conninfo;
    apr_thread_t *thread;           /* NULL: could not start           */
    int ready;                      /* LISTEN in place (under the lock) */
    int wake[2];                    /* self-pipe: stopping wakes poll() */
    chats_listener_t *next;
};

struct chats_listen_proc_t {
    apr_pool_t *pool;               /* ours: allocated under lock only */
    server_rec *s;
    apr_thread_mutex_t *lock;
    chats_waiter_t *slots;
    int nslots;
    int threaded;                   /* 0: prefork, poll once a second  */
    volatile apr_uint32_t stopping;
    chats_listener_t *listeners;
};

static int is_stopping(chats_listen_proc_t *proc)
{
    return apr_atomic_read32(&proc->stopping) != 0;
}

/* Wake waiters of ln (all of them when ln is NULL); sid < 0: every
 * session. Under the lock. */
static void fire(chats_listen_proc_t *proc, const chats_listener_t *ln,
                 apr_int32_t sid, apr_int64_t mid)
{
    int i;

    for (i = 0; i < proc->nslots; i++) {
        chats_waiter_t *w = &proc->slots[i];

        if (w->used && (!ln || w->ln == ln)
            && (sid < 0 || (w->sid == sid && w->after < mid))) {
            w->fired = 1;
            apr_thread_cond_signal(w->cv);
        }
    }
}

static void set_ready(chats_listener_t *ln, int ready)
{
    apr_thread_mutex_lock(ln->proc->lock);
    ln->ready = ready;
    fire(ln->proc, ln, -1, 0);          /* re-query: NOTIFYs were lost */
    apr_thread_mutex_unlock(ln->proc->lock);
}

/* "sid:mid", as chats_message_notify() in conf/schema.sql sends it. */
static void notified(chats_listener_t *ln, const char *payload)
{
    char *end;
    long long sid = strtoll(payload, &end, 10), mid;

    if (*end != ':' || sid < 0 || sid > INT32_MAX) {
        return;
    }
    mid = strtoll(end + 1, &end, 10);
    if (*end != '\0') {
        return;
    }
    apr_thread_mutex_lock(ln->proc->lock);
    fire(ln->proc, ln, (apr_int32_t)sid, (apr_int64_t)mid);
    apr_thread_mutex_unlock(ln->proc->lock);
}

/* Sleep ms on the wake pipe; 0 when stopping. */
static int pause_ms(chats_listener_t *ln, int ms)
{
    struct pollfd pf = { ln->wake[0], POLLIN, 0 };

    if (!is_stopping(ln->proc)) {
        (void)poll(&pf, 1, ms);
    }
    return !is_stopping(ln->proc);
}

/* A connection LISTENing, or NULL (*pwhy says why). LISTEN needs a
 * primary: chats_pgconn_open asks for one. */
static PGconn *connect_db(chats_listener_t *ln, const char **pwhy,
                          apr_pool_t *p)
{
    PGconn *c = chats_pgconn_open(ln->proc->s, ln->conninfo, LISTEN_APPNAME,
                                  ln->wake[0], &ln->proc->stopping, pwhy, p);
    PGresult *res;

    if (!c) {
        return NULL;
    }
    res = PQexec(c, "LISTEN " CHATS_MESSAGE_CHANNEL);
    if (res && PQresultStatus(res) == PGRES_COMMAND_OK) {
        PQclear(res);
        return c;
    }
    PQclear(res);
    *pwhy = apr_pstrdup(p, PQerrorMessage(c));
    PQfinish(c);
    return NULL;
}

/* Read notifications until the connection fails or the child stops. */
static const char *listen_loop(chats_listener_t *ln, PGconn *c,
                               apr_pool_t *p)
{
    struct pollfd pf[2] = { { PQsocket(c), POLLIN, 0 },
                            { ln->wake[0], POLLIN, 0 } };

    while (!is_stopping(ln->proc)) {
        PGnotify *nt;

        /* A timeout too: PQconsumeInput also notices a closed socket. */
        if (poll(pf, 2, 1000) < 0 && errno != EINTR) {
            return apr_pstrdup(p, strerror(errno));
        }
        if (is_stopping(ln->proc)) {
            break;
        }
        if (!PQconsumeInput(c) || PQstatus(c) != CONNECTION_OK) {
            return apr_pstrdup(p, PQerrorMessage(c));
        }
        while ((nt = PQnotifies(c)) != NULL) {
            notified(ln, nt->extra);
            PQfreemem(nt);
        }
    }
    return NULL;
}

/* Connected for this long, a lost connection is retried at once: a
 * terminated backend usually leaves a server that takes a new one. */
#define STABLE apr_time_from_sec(5)

static void *APR_THREAD_FUNC listener_main(apr_thread_t *t, void *data)
{
    chats_listener_t *ln = data;
    apr_pool_t *p = NULL;
    apr_time_t steady_until = 0;        /* retry at 1 s until then */
    int backoff = 1, outage = 0;

    apr_pool_create(&p, apr_thread_pool_get(t));
    while (!is_stopping(ln->proc)) {
        const char *why = NULL;
        apr_time_t up = 0;
        PGconn *c;

        apr_pool_clear(p);
        if ((c = connect_db(ln, &why, p)) != NULL) {
            up = apr_time_now();
            set_ready(ln, 1);
            if (outage) {
                ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, ln->proc->s,
                             CHATS_LOGNO(401) "long-poll listener "
                             "connected again: waiting requests wake on "
                             "new messages again");
            }
            outage = 0;
            backoff = 1;
            why = listen_loop(ln, c, p);
            PQfinish(c);
            up = apr_time_now() - up;
            set_ready(ln, 0);
            if (!why) {
                break;                  /* stopping */
            }
        }
        if (!outage && !is_stopping(ln->proc)) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, ln->proc->s,
                         CHATS_LOGNO(400) "long-poll listener has no "
                         "PostgreSQL connection (%s): waiting requests poll "
                         "once a second until it is back; logged once per "
                         "outage", chats_pgconn_one_line(p, why));
            outage = 1;
        }
        if (up >= STABLE) {
            steady_until = apr_time_now() + FAILOVER_WINDOW;
            continue;
        }
        if (!pause_ms(ln, backoff * 1000)) {
            break;
        }
        if (apr_time_now() >= steady_until) {
            backoff = backoff * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S
                                                  : backoff * 2;
        }
    }
    apr_pool_destroy(p);
    return NULL;
}

/* The listener for this conninfo, started on first use. Under the lock. */
static chats_listener_t *listener_for(chats_listen_proc_t *proc,
                                      const char *conninfo)
{
    chats_listener_t *ln;
    apr_status_t rv;

    for (ln = proc->listeners; ln; ln = ln->next) {
        if (!strcmp(ln->conninfo, conninfo)) {
            return ln;
        }
    }
    ln = apr_pcalloc(proc->pool, sizeof(*ln));
    ln->proc = proc;
    ln->conninfo = apr_pstrdup(proc->pool, conninfo);
    ln->next = proc->listeners;
    proc->listeners = ln;
    if (pipe(ln->wake) != 0) {
        rv = errno;
        ln->wake[0] = ln->wake[1] = -1;
    }
    else {
        (void)fcntl(ln->wake[0], F_SETFD, FD_CLOEXEC);
        (void)fcntl(ln->wake[1], F_SETFD, FD_CLOEXEC);
        rv = apr_thread_create(&ln->thread, NULL, listener_main, ln,
                               proc->pool);
    }
    if (rv != APR_SUCCESS) {
        ln->thread = NULL;
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, proc->s, CHATS_LOGNO(403)
                     "long-poll listener could not start: waiting requests "
                     "poll once a second");
    }
    return ln;
}

static chats_waiter_t *take_slot(chats_listen_proc_t *proc, request_rec *r,
                                 apr_int32_t sid, apr_int64_t after)
{
    const char *conninfo = chats_conf_listen_params(r->server);
    chats_waiter_t *w = NULL;
    int i;

    apr_thread_mutex_lock(proc->lock);
    for (i = 0; i < proc->nslots && !w; i++) {
        if (!proc->slots[i].used) {
            w = &proc->slots[i];
        }
    }
    if (w) {
        w->used = 1;
        w->fired = 0;
        w->sid = sid;
        w->after = after;
        w->ln = conninfo ? listener_for(proc, conninfo) : NULL;
    }
    apr_thread_mutex_unlock(proc->lock);
    return w;
}

static void drop_slot(chats_listen_proc_t *proc, chats_waiter_t *w)
{
    apr_thread_mutex_lock(proc->lock);
    w->used = 0;
    w->ln = NULL;
    apr_thread_mutex_unlock(proc->lock);
}

static int child_stops(chats_listen_proc_t *proc)
{
    int state = AP_MPMQ_RUNNING;

    return is_stopping(proc)
        || (ap_mpm_query(AP_MPMQ_MPM_STATE, &state) == APR_SUCCESS
            && state == AP_MPMQ_STOPPING);
}

/* Sleep until w fires or the deadline passes; without a working
 * listener (or a slot, under prefork), one FALLBACK_STEP at most.
 * 0 when the child stops: the waiter answers what it has. */
static int doze(chats_listen_proc_t *proc, chats_waiter_t *w,
                apr_time_t deadline)
{
    apr_time_t now = apr_time_now(), until = deadline;

    if (!w) {
        if (until > now) {
            apr_sleep(until - now < FALLBACK_STEP ? until - now
                                                  : FALLBACK_STEP);
        }
        return !child_stops(proc);
    }
    apr_thread_mutex_lock(proc->lock);
    if ((!w->ln || !w->ln->ready) && now + FALLBACK_STEP < until) {
        until = now + FALLBACK_STEP;
    }
    while (!w->fired && !is_stopping(proc) && (now = apr_time_now()) < until) {
        apr_thread_cond_timedwait(w->cv, proc->lock, until - now);
    }
    w->fired = 0;
    apr_thread_mutex_unlock(proc->lock);
    return !child_stops(proc);
}

/* Whether a waiter keeps waiting after a poll failed with e. A database
 * that went away after the first poll answered (a failover, a restart)
 * is asked again at the next wake-up or second, until the deadline: the
 * request was good, and a new primary usually takes over within it. Its
 * error stands when the database is still away at the deadline, and at
 * once for the first poll and for any other error. */
static int rides_through(const chats_err_t *e, int polled)
{
    return polled && e->code == CHATS_E_DB_DOWN;
}

chats_err_t *chats_listen_wait(request_rec *r, apr_int32_t sid,
                               apr_int64_t after, int wait_s,
                               chats_poll_fn *poll_fn, void *ctx)
{
    chats_listen_proc_t *proc = chats_srv_conf(r->server)->listen;
    apr_time_t deadline = apr_time_now() + apr_time_from_sec(wait_s);
    chats_waiter_t *w = NULL;
    chats_err_t *e;
    int found = 0, polled;

    if (wait_s <= 0 || !proc || !proc->lock || child_stops(proc)) {
        return poll_fn(ctx, &found);
    }
    if (proc->threaded && (w = take_slot(proc, r, sid, after)) == NULL) {
        /* a poll that answers early is still a right answer */
        ap_log_rerror(APLOG_MARK, APLOG_DEBUG, 0, r, CHATS_LOGNO(402)
                      "all %d long-poll slots of this process are taken "
                      "(ChatSessionLongPollMax): answering at once",
                      proc->nslots);
        return poll_fn(ctx, &found);
    }
    for (polled = 0;; polled = 1) {
        e = poll_fn(ctx, &found);
        if (found || apr_time_now() >= deadline
            || (e && !rides_through(e, polled))) {
            break;
        }
        chats_store_release(r);         /* no pooled connection held */
        if (!doze(proc, w, deadline)) {
            break;
        }
    }
    if (w) {
        drop_slot(proc, w);
    }
    return e;
}

/* Wake everything and let the listeners go; before the pool's
 * subpools (the threads') are destroyed: a pre-cleanup. */
static void stop_all(chats_listen_proc_t *proc)
{
    chats_listener_t *ln;

    apr_thread_mutex_lock(proc->lock);
    apr_atomic_set32(&proc->stopping, 1);
    fire(proc, NULL, -1, 0);
    for (ln = proc->listeners; ln; ln = ln->next) {
        if (ln->wake[1] >= 0 && write(ln->wake[1], "x", 1) < 0) {
            /* the thread sees `stopping` within a second anyway */
        }
    }
    apr_thread_mutex_unlock(proc->lock);
}

static apr_status_t listen_cleanup(void *data)
{
    chats_listen_proc_t *proc = data;
    chats_listener_t *ln;
    apr_status_t trv;

    stop_all(proc);
    for (ln = proc->listeners; ln; ln = ln->next) {
        if (ln->thread) {
            apr_thread_join(&trv, ln->thread);
        }
        if (ln->wake[0] >= 0) {
            close(ln->wake[0]);
            close(ln->wake[1]);
        }
    }
    proc->listeners = NULL;
    return APR_SUCCESS;
}

static int default_slots(int threads)
{
    return threads / 2 > 0 ? threads / 2 : 1;
}

void chats_listen_child_init(apr_pool_t *pchild, server_rec *s)
{
    chats_listen_proc_t *proc = apr_pcalloc(pchild, sizeof(*proc));
    int threaded = AP_MPMQ_NOT_SUPPORTED, threads = 1, i, max;
    server_rec *v;

    (void)ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded);
    (void)ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    max = chats_srv_conf(s)->longpoll_max;
    proc->s = s;
    proc->threaded = threaded != AP_MPMQ_NOT_SUPPORTED;
    proc->nslots = !proc->threaded ? 0
                 : max == CHATS_UNSET ? default_slots(threads) : max;
    /* The listener threads' pools are made from this one: its allocator
     * has a mutex (chats_proc_pool_create). */
    if (chats_proc_pool_create(&proc->pool, pchild, "chats-listen")
        != APR_SUCCESS
        || apr_thread_mutex_create(&proc->lock, APR_THREAD_MUTEX_DEFAULT,
                                   pchild) != APR_SUCCESS) {
        return;                         /* no table: wait= answers at once */
    }
    proc->slots = apr_pcalloc(pchild, (apr_size_t)(proc->nslots + 1)
                                      * sizeof(*proc->slots));
    for (i = 0; i < proc->nslots; i++) {
        if (apr_thread_cond_create(&proc->slots[i].cv, pchild)
            != APR_SUCCESS) {
            proc->nslots = i;
            break;
        }
    }
    apr_pool_pre_cleanup_register(pchild, proc, listen_cleanup);
    for (v = s; v; v = v->next) {
        chats_srv_conf(v)->listen = proc;
    }
}

/* Graceful restart: waiting requests answer now, not after up to
 * 30 seconds (the longest wait) that the old child would linger. */
static void listen_child_stopping(apr_pool_t *pchild, int graceful)
{
    chats_listen_proc_t *proc = chats_srv_conf(ap_server_conf)->listen;

    (void)pchild;
    (void)graceful;
    if (proc && proc->lock) {
        stop_all(proc);
    }
}

/* A table as large as the thread count leaves nothing for the requests
 * that would post the awaited messages. */
static int listen_check(apr_pool_t *pconf, apr_pool_t *plog,
                        apr_pool_t *ptemp, server_rec *s)
{
    int threaded = AP_MPMQ_NOT_SUPPORTED, threads = 0;
    int max = chats_srv_conf(s)->longpoll_max;

    (void)pconf;
    (void)plog;
    (void)ptemp;
    (void)ap_mpm_query(AP_MPMQ_IS_THREADED, &threaded);
    (void)ap_mpm_query(AP_MPMQ_MAX_THREADS, &threads);
    if (threaded != AP_MPMQ_NOT_SUPPORTED && max != CHATS_UNSET
        && max >= threads) {
        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, 0, s,
                     CHATS_LOGNO(404) "ChatSessionLongPollMax %d is not "
                     "below ThreadsPerChild %d: waiting requests can take "
                     "every thread of a process, and the requests that post "
                     "messages wait for them; keep it at most half of "
                     "ThreadsPerChild (README, \"Long polling\")", max,
                     threads);
    }
    return OK;
}

void chats_listen_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_child_stopping(listen_child_stopping, NULL, NULL,
                           APR_HOOK_MIDDLE);
    ap_hook_check_config(listen_check, NULL, NULL, APR_HOOK_MIDDLE);
}
