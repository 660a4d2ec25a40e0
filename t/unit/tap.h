/* The C unit drivers' TAP: "ok N - desc" lines, the plan printed at the
 * end, and one main() for all of them (t/unit/tap.c). A driver defines
 * tap_suite -- its tests in order, and optionally a setup and modes
 * other than TAP -- and links tap.c; no framework. */
#ifndef CHATS_TAP_H
#define CHATS_TAP_H

#include <stdio.h>
#include <string.h>

#include <apr_pools.h>

typedef struct {
    apr_pool_t *p;       /* the run's pool: everything a test allocates */
    int n;               /* assertions so far */
    int failed;          /* of which failed */
    const void *ctx;     /* what the suite's setup made for its tests */
} tap_t;

typedef void (*tap_test_fn)(tap_t *t);

/* A mode besides the tests: `driver FLAG ARG...` runs run(p, argc,
 * argv) with the arguments after FLAG, and exits with what it returns
 * (a .t that runs what the core builds against PostgreSQL uses these). */
typedef struct {
    const char *flag;
    int (*run)(apr_pool_t *p, int argc, char **argv);
} tap_mode_t;

typedef struct {
    /* Runs before the tests; returns 0 when they cannot run (its own
     * ok()s say why), else sets t->ctx as they need. NULL: none. */
    int (*setup)(tap_t *t);
    const tap_test_fn *tests;          /* NULL-terminated */
    const tap_mode_t *modes;           /* NULL, or ended by { NULL, NULL } */
} tap_suite_t;

/* Each driver defines it. */
extern const tap_suite_t tap_suite;

/* One assertion: "ok N - desc" or "not ok N - desc". */
void ok(tap_t *t, int cond, const char *desc);

/* ok() on string equality, showing both sides when they differ. */
void is_str(tap_t *t, const char *got, const char *want, const char *desc);

/* The number of elements of a static array. */
#define TAP_N(a) ((int)(sizeof(a) / sizeof((a)[0])))

#endif
