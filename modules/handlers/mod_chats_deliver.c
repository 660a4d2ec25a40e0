/* The webhook deliverer's process part (mod_chats_deliver.h): each
 * process runs one thread. It becomes its server's candidate by a
 * non-blocking lock on a file in DefaultRuntimeDir, then opens its own
 * connection (ChatSessionListenParams, or the main server's DBDParams:
 * never a pooled one) and tries the advisory lock each second; its
 * holder delivers (mod_chats_deliver_loop.c). */
#include <apr_atomic.h>
#include <apr_file_io.h>
#include <apr_strings.h>
#include <apr_thread_proc.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "httpd.h"
#include "http_log.h"
#include "http_main.h"
#include "mpm_common.h"
#include "unixd.h"

#include "chats_webhook_sql.h"
#include "mod_chats_deliver_private.h"
#include "mod_chats_metrics.h"
#include "mod_chats_pgconn.h"

#define DELIVER_APPNAME "mod_chatsession-webhook"
#define LOCK_FILE "chatsession-webhook.lock"
/* A candidate's look at the locks, and the pause after a failure. */
#define RETRY_MS 1000

/* Sleep ms on the wake pipe; 0 when stopping. */
static int pause_ms(chats_deliver_proc_t *d, int ms)
{
    struct pollfd pf = { d->wake[0], POLLIN, 0 };

    if (!chats_deliver_stopping(d)) {
        (void)poll(&pf, 1, ms);
    }
    return !chats_deliver_stopping(d);
}
/* Candidate: the node lock, a connection, the advisory lock, then
 * deliver; again after any failure. */
static void *APR_THREAD_FUNC deliver_main(apr_thread_t *t, void *data)
{
    chats_deliver_proc_t *d = data;
    apr_pool_t *p = NULL;
    apr_file_t *lock = NULL;
    int outage = 0;

    apr_pool_create(&p, apr_thread_pool_get(t));
    while (!chats_deliver_stopping(d)) {
        const char *why = NULL;
        PGconn *c;

        apr_pool_clear(p);
        if (!lock && (apr_file_open(&lock, d->lock_path,
                                    APR_FOPEN_CREATE | APR_FOPEN_WRITE,
                                    APR_FPROT_UREAD | APR_FPROT_UWRITE,
                                    d->pool) != APR_SUCCESS
                      || apr_file_lock(lock, APR_FLOCK_EXCLUSIVE
                                             | APR_FLOCK_NONBLOCK)
                         != APR_SUCCESS)) {
            if (lock) {
                apr_file_close(lock);
                lock = NULL;
            }
            pause_ms(d, RETRY_MS);
            continue;
        }
        if ((c = chats_pgconn_open(d->s, d->conninfo, DELIVER_APPNAME,
                                   d->wake[0], &d->stopping, &why, p))) {
            while (!chats_deliver_stopping(d)) {
                const char *const none[1] = { NULL };
                PGresult *res = chats_pgconn_run(c, CHATS_WEBHOOK_SQL_LOCK, 0, none,
                                    &why, p);
                const char *v = res ? chats_pgconn_col(res, 0, "held") : NULL;
                int held = v && v[0] == 't';

                PQclear(res);
                if (!res) {
                    break;
                }
                if (outage) {
                    ap_log_error(APLOG_MARK, APLOG_NOTICE, 0, d->s,
                                 CHATS_LOGNO(684) "webhook deliverer "
                                 "connected again");
                    outage = 0;
                }
                if (held) {
                    apr_atomic_set32(&d->leader, 1);
                    why = chats_deliver_lead(d, c, p);
                    apr_atomic_set32(&d->leader, 0);
                    break;
                }
                if (!pause_ms(d, RETRY_MS)) {
                    break;
                }
            }
            PQfinish(c);
        }
        if (why && !outage && !chats_deliver_stopping(d)) {
            ap_log_error(APLOG_MARK, APLOG_WARNING, 0, d->s,
                         CHATS_LOGNO(683) "webhook deliverer has no "
                         "PostgreSQL connection (%s): events wait in the "
                         "outbox until it is back; logged once per outage",
                         chats_pgconn_one_line(p, why));
            outage = 1;
        }
        pause_ms(d, RETRY_MS);
    }
    if (lock) {
        apr_file_close(lock);           /* releases the node lock */
    }
    apr_pool_destroy(p);
    return NULL;
}

/* ---- the process's part ------------------------------------------------ */

static void stop(chats_deliver_proc_t *d)
{
    apr_atomic_set32(&d->stopping, 1);
    if (d->wake[1] >= 0 && write(d->wake[1], "x", 1) < 0) {
        /* the thread sees `stopping` within a second anyway */
    }
    apr_thread_mutex_lock(d->http_lock);
    if (d->http) {
        chats_webhook_http_wakeup(d->http);
    }
    apr_thread_mutex_unlock(d->http_lock);
}

static apr_status_t deliver_cleanup(void *data)
{
    chats_deliver_proc_t *d = data;
    apr_status_t trv;

    stop(d);
    if (d->thread) {
        apr_thread_join(&trv, d->thread);
        d->thread = NULL;
    }
    if (d->wake[0] >= 0) {
        close(d->wake[0]);
        close(d->wake[1]);
        d->wake[0] = d->wake[1] = -1;
    }
    return APR_SUCCESS;
}

void chats_deliver_child_init(apr_pool_t *pchild, server_rec *s)
{
    chats_deliver_proc_t *d;
    const char *conninfo = chats_conf_listen_params(s);
    apr_threadattr_t *ta = NULL;

    chats_srv_conf(s)->deliver = NULL;
    if (!conninfo || !chats_webhook_conf(s).delivery) {
        return;                         /* no database, or not here */
    }
    d = apr_pcalloc(pchild, sizeof(*d));
    d->s = s;
    d->conf = chats_webhook_conf(s);
    d->conninfo = conninfo;
    d->lock_path = ap_runtime_dir_relative(pchild, LOCK_FILE);
    d->wake[0] = d->wake[1] = -1;
    if (chats_proc_pool_create(&d->pool, pchild, "chats-deliver")
        != APR_SUCCESS
        || apr_thread_mutex_create(&d->http_lock, APR_THREAD_MUTEX_DEFAULT,
                                   pchild) != APR_SUCCESS
        || pipe(d->wake) != 0) {
        ap_log_error(APLOG_MARK, APLOG_ERR, errno, s, CHATS_LOGNO(685)
                     "webhook deliverer not started in this process");
        return;
    }
    (void)fcntl(d->wake[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(d->wake[1], F_SETFD, FD_CLOEXEC);
    apr_pool_pre_cleanup_register(pchild, d, deliver_cleanup);
    apr_threadattr_create(&ta, pchild);
    if (apr_thread_create(&d->thread, ta, deliver_main, d, d->pool)
        != APR_SUCCESS) {
        d->thread = NULL;
        ap_log_error(APLOG_MARK, APLOG_ERR, 0, s, CHATS_LOGNO(686)
                     "webhook deliverer thread not started in this process");
        return;
    }
    chats_srv_conf(s)->deliver = d;
}

/* Graceful restart: the old generation's deliverer lets go now, so the
 * new one takes over while old requests still finish. */
static void deliver_child_stopping(apr_pool_t *pchild, int graceful)
{
    chats_deliver_proc_t *d = chats_srv_conf(ap_server_conf)->deliver;

    (void)pchild;
    (void)graceful;
    if (d) {
        stop(d);
    }
}

/* The candidates' lock file, made by the parent: children run as User,
 * who may not create files in DefaultRuntimeDir (Debian's is root's). */
static void make_lock_file(apr_pool_t *p, server_rec *s)
{
    const char *path = ap_runtime_dir_relative(p, LOCK_FILE);
    apr_file_t *f = NULL;

    if (!path || apr_file_open(&f, path, APR_FOPEN_CREATE | APR_FOPEN_WRITE,
                               APR_FPROT_UREAD | APR_FPROT_UWRITE, p)
                 != APR_SUCCESS) {
        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, errno, s,
                     CHATS_LOGNO(688) "webhooks: cannot make %s: no process "
                     "of this server will deliver", path ? path : LOCK_FILE);
        return;
    }
    apr_file_close(f);
    if (geteuid() == 0 && chown(path, ap_unixd_config.user_id,
                                ap_unixd_config.group_id) != 0) {
        ap_log_error(APLOG_MARK, APLOG_WARNING | APLOG_STARTUP, errno, s,
                     CHATS_LOGNO(689) "webhooks: cannot give %s to User: no "
                     "process of this server will deliver", path);
    }
}

static int deliver_post_config(apr_pool_t *pconf, apr_pool_t *plog,
                               apr_pool_t *ptemp, server_rec *s)
{
    chats_err_t *e = chats_webhook_http_global_init(pconf);

    (void)plog;
    if (e) {
        ap_log_error(APLOG_MARK, APLOG_ERR | APLOG_STARTUP, 0, s,
                     CHATS_LOGNO(687) "webhooks: %s", e->message);
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    if (chats_webhook_conf(s).delivery && chats_conf_listen_params(s)) {
        make_lock_file(ptemp, s);
    }
    return OK;
}

void chats_deliver_register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_child_stopping(deliver_child_stopping, NULL, NULL,
                           APR_HOOK_MIDDLE);
    ap_hook_post_config(deliver_post_config, NULL, NULL, APR_HOOK_LAST);
}
