/* poolguard: a lockset checker (Eraser, Savage et al. 1997) for APR pools,
 * for tests only (t/api/pool_race.t). LD_PRELOADed into httpd (after
 * ASan's runtime), it interposes apr_palloc/apr_pcalloc and the apr
 * thread mutexes. An APR pool is not thread-safe: two threads may
 * allocate from one pool only under one common lock. For every pool that
 * is allocated from while the caller holds an apr_thread_mutex_t, it
 * keeps the set of mutexes held at every such allocation; once two
 * threads have made one and that set is empty, two threads could be
 * inside apr_palloc on that pool at once, and it writes one report line
 * (once per pool) to the file $POOLGUARD_LOG:
 *
 *   POOLGUARD pool=0x... first: <frames> | now: <frames>
 *
 * each frame as file+0xoffset (the test turns them into function names
 * with addr2line). No timing is involved: a pool used under two different
 * locks is reported the first time both have been used by two threads,
 * whether or not the allocations overlapped. Allocations made without
 * any mutex held are not tracked (a request's or a connection's pool
 * passes from thread to thread through httpd's queues, not under a lock).
 * A pool forgets its history when it is cleared or destroyed (its address
 * and its memory begin a new life).
 *
 * Unlike Eraser, the first thread's allocations count too (Eraser's
 * "exclusive" state forgives them, for data set up before it is shared):
 * a cache that one thread fills under lock A, and another under lock B
 * once, must be reported whichever came first. A pool filled under one
 * lock at set-up and under another later would be reported as well; the
 * test shows none in httpd, mod_dbd and this module. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef int apr_status_t;
typedef size_t apr_size_t;
typedef struct apr_pool_t apr_pool_t;
typedef struct apr_thread_mutex_t apr_thread_mutex_t;

#define MAX_HELD   16        /* mutexes one thread holds at once        */
#define MAX_SET    8         /* candidate locks kept per pool            */
#define TABLE      (1 << 16) /* pools tracked (open addressing)          */
#define FRAMES     8

typedef struct {
    const void *pool;        /* NULL: free; TOMB: removed                */
    pid_t owner;             /* kernel thread id (pthread_t values are
                                reused as soon as a thread is joined) */
    int shared, reported, nset;
    const void *set[MAX_SET];
    char first[512];         /* where the candidate set began            */
} entry_t;

static const void *const TOMB = (const void *)1;
static entry_t *table;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static __thread const void *held[MAX_HELD];
static __thread int nheld;
static __thread int inside;  /* our own work allocates nothing from APR */
static unsigned long nshared;  /* pools used under a lock by two threads */

static void *(*real_palloc)(apr_pool_t *, apr_size_t);
static void *(*real_pcalloc)(apr_pool_t *, apr_size_t);
static apr_status_t (*real_thread_mutex_lock)(apr_thread_mutex_t *);
static apr_status_t (*real_thread_mutex_trylock)(apr_thread_mutex_t *);
static apr_status_t (*real_thread_mutex_unlock)(apr_thread_mutex_t *);
static void (*real_pool_clear)(apr_pool_t *);
static void (*real_pool_destroy)(apr_pool_t *);

/* The real function; it is looked up at the first call, since the guard
 * is preloaded into every program httpd's start script runs (a shell
 * has no APR: then nothing here is ever called). */
static void *next(void **pf, const char *name)
{
    if (!*pf && !(*pf = dlsym(RTLD_NEXT, name))) {
        static const char msg[] = "poolguard: a function of APR not found\n";
        ssize_t w = write(2, msg, sizeof(msg) - 1);

        (void)w;
        abort();
    }
    return *pf;
}
#define REAL(f) ((__typeof__(real_##f))next((void **)&real_##f, "apr_" #f))

__attribute__((constructor)) static void init(void)
{
    table = calloc(TABLE, sizeof(*table));
    if (!table) {
        abort();
    }
}

/* One line per process that saw a pool shared under locks, so that a
 * test can tell the checker was at work. */
__attribute__((destructor)) static void fini(void)
{
    const char *path = getenv("POOLGUARD_LOG");
    char line[128];
    int fd, n;

    if (!path || nshared == 0) {
        return;
    }
    n = snprintf(line, sizeof(line), "POOLGUARD-STATS pid=%ld shared=%lu\n",
                 (long)getpid(), nshared);
    if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644)) >= 0) {
        ssize_t w = write(fd, line, (size_t)n);

        (void)w;
        close(fd);
    }
}

static size_t slot_of(const void *pool)
{
    uintptr_t h = (uintptr_t)pool;

    h ^= h >> 17;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 7) & (TABLE - 1);
}

/* The entry of pool, or a new one when add (NULL when the table is full).
 * Under table_lock. */
static entry_t *find(const void *pool, int add)
{
    size_t i = slot_of(pool), n;
    entry_t *free_slot = NULL;

    for (n = 0; n < TABLE; n++, i = (i + 1) & (TABLE - 1)) {
        if (table[i].pool == pool) {
            return &table[i];
        }
        if (table[i].pool == TOMB && !free_slot) {
            free_slot = &table[i];
        }
        if (table[i].pool == NULL) {
            free_slot = free_slot ? free_slot : &table[i];
            break;
        }
    }
    if (!add || !free_slot) {
        return NULL;
    }
    memset(free_slot, 0, sizeof(*free_slot));
    free_slot->pool = pool;
    return free_slot;
}

/* The caller's frames, as "file+0xoffset" words, outside this file. */
static void frames(char *buf, size_t size)
{
    void *pc[FRAMES + 4];
    int n = backtrace(pc, FRAMES + 4), i;
    size_t len = 0;
    Dl_info self;

    buf[0] = '\0';
    if (!dladdr((void *)frames, &self)) {
        self.dli_fbase = NULL;
    }
    for (i = 1; i < n && len + 1 < size; i++) {
        Dl_info info;
        int w, known = dladdr(pc[i], &info) && info.dli_fname;

        if (known && info.dli_fbase == self.dli_fbase) {
            continue;                   /* poolguard's own frames */
        }
        if (known) {
            w = snprintf(buf + len, size - len, "%s%s+0x%lx", len ? " " : "",
                         info.dli_fname,
                         (unsigned long)((uintptr_t)pc[i]
                                         - (uintptr_t)info.dli_fbase));
        }
        else {
            w = snprintf(buf + len, size - len, "%s%p", len ? " " : "", pc[i]);
        }
        if (w < 0 || (size_t)w >= size - len) {
            break;
        }
        len += (size_t)w;
    }
}

static void report(const void *pool, const entry_t *e)
{
    const char *path = getenv("POOLGUARD_LOG");
    char now[512], line[1200];
    int fd, n;

    frames(now, sizeof(now));
    n = snprintf(line, sizeof(line), "POOLGUARD pool=%p first: %s | now: %s\n",
                 pool, e->first, now);
    fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT, 0644) : 2;
    if (fd >= 0 && n > 0) {
        ssize_t w = write(fd, line, (size_t)n < sizeof(line) ? (size_t)n
                                                             : sizeof(line) - 1);
        (void)w;
    }
    if (path && fd >= 0) {
        close(fd);
    }
}

/* Keep in e's candidate set only the locks held now. */
static void refine(entry_t *e)
{
    int i, j, kept = 0;

    for (i = 0; i < e->nset; i++) {
        for (j = 0; j < nheld; j++) {
            if (e->set[i] == held[j]) {
                e->set[kept++] = e->set[i];
                break;
            }
        }
    }
    e->nset = kept;
}

static void check(apr_pool_t *pool)
{
    pid_t self = gettid();
    entry_t *e;
    int i;

    if (nheld == 0 || inside || !pool) {
        return;
    }
    inside = 1;
    pthread_mutex_lock(&table_lock);
    if ((e = find(pool, 1)) != NULL) {
        if (!e->first[0]) {                     /* the first one */
            e->owner = self;
            e->nset = nheld < MAX_SET ? nheld : MAX_SET;
            for (i = 0; i < e->nset; i++) {
                e->set[i] = held[i];
            }
            frames(e->first, sizeof(e->first));
        }
        else {
            if (!e->shared && e->owner != self) {
                e->shared = 1;
                nshared++;
            }
            refine(e);
            if (e->shared && e->nset == 0 && !e->reported) {
                e->reported = 1;
                report(pool, e);
            }
        }
    }
    pthread_mutex_unlock(&table_lock);
    inside = 0;
}

static void forget(apr_pool_t *pool)
{
    entry_t *e;

    pthread_mutex_lock(&table_lock);
    if ((e = find(pool, 0)) != NULL) {
        e->pool = TOMB;
    }
    pthread_mutex_unlock(&table_lock);
}

void *apr_palloc(apr_pool_t *pool, apr_size_t size)
{
    check(pool);
    return REAL(palloc)(pool, size);
}

void *apr_pcalloc(apr_pool_t *pool, apr_size_t size)
{
    check(pool);
    return REAL(pcalloc)(pool, size);
}

void apr_pool_clear(apr_pool_t *pool)
{
    forget(pool);
    REAL(pool_clear)(pool);
}

void apr_pool_destroy(apr_pool_t *pool)
{
    forget(pool);
    REAL(pool_destroy)(pool);
}

apr_status_t apr_thread_mutex_lock(apr_thread_mutex_t *m)
{
    apr_status_t rv = REAL(thread_mutex_lock)(m);

    if (rv == 0 && nheld < MAX_HELD) {
        held[nheld++] = m;
    }
    return rv;
}

apr_status_t apr_thread_mutex_trylock(apr_thread_mutex_t *m)
{
    apr_status_t rv = REAL(thread_mutex_trylock)(m);

    if (rv == 0 && nheld < MAX_HELD) {
        held[nheld++] = m;
    }
    return rv;
}

apr_status_t apr_thread_mutex_unlock(apr_thread_mutex_t *m)
{
    int i;

    for (i = nheld - 1; i >= 0; i--) {
        if (held[i] == m) {
            held[i] = held[--nheld];
            break;
        }
    }
    return REAL(thread_mutex_unlock)(m);
}
