/* The few TAP helpers the C unit drivers share: no framework, "ok N -
 * desc" lines and the plan printed at the end by the driver. Header-only
 * (static functions), included once per driver. */
#ifndef CHATS_TAP_H
#define CHATS_TAP_H

#include <stdio.h>
#include <string.h>

#include <apr_pools.h>

typedef struct {
    apr_pool_t *p;
    int n;
    int failed;
} tap_t;

static void ok(tap_t *t, int cond, const char *desc)
{
    t->n++;
    if (!cond) {
        t->failed++;
    }
    printf("%sok %d - %s\n", cond ? "" : "not ", t->n, desc);
}

/* ok() on string equality, showing both sides when they differ. */
static __attribute__((unused)) void is_str(tap_t *t, const char *got,
                                           const char *want,
                                           const char *desc)
{
    int same = got && want && !strcmp(got, want);

    ok(t, same, desc);
    if (!same) {
        printf("#   got:  %s\n#   want: %s\n", got ? got : "(null)",
               want ? want : "(null)");
    }
}

#endif
