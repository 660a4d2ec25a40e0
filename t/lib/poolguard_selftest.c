/* Proof that t/lib/poolguard.c finds the bug it is for, with no timing
 * involved: two threads allocate from one APR pool one after the other
 * (joined in turn, so never at once), each under a lock. Argument "two":
 * two different locks (what poolguard must report); "one": the same lock
 * (what it must not). */
#include <apr_general.h>
#include <apr_pools.h>
#include <apr_strings.h>
#include <apr_thread_mutex.h>
#include <apr_thread_proc.h>
#include <string.h>

static apr_pool_t *shared_pool;
static apr_thread_mutex_t *locks[2];

static void *APR_THREAD_FUNC work(apr_thread_t *t, void *data)
{
    apr_thread_mutex_t *m = data;
    int i;

    for (i = 0; i < 100; i++) {
        apr_thread_mutex_lock(m);
        (void)apr_pstrdup(shared_pool, "cached value");
        apr_thread_mutex_unlock(m);
    }
    apr_thread_exit(t, APR_SUCCESS);
    return NULL;
}

int main(int argc, char **argv)
{
    int two = argc > 1 && !strcmp(argv[1], "two"), round;
    apr_pool_t *p;
    apr_status_t rv;

    apr_initialize();
    apr_pool_create(&p, NULL);
    apr_pool_create(&shared_pool, p);
    apr_thread_mutex_create(&locks[0], APR_THREAD_MUTEX_DEFAULT, p);
    apr_thread_mutex_create(&locks[1], APR_THREAD_MUTEX_DEFAULT, p);
    for (round = 0; round < 4; round++) {
        apr_thread_t *t;

        apr_thread_create(&t, NULL, work, locks[two ? round % 2 : 0], p);
        apr_thread_join(&rv, t);
    }
    apr_pool_destroy(p);
    apr_terminate();
    return 0;
}
