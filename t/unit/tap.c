/* The one main() of the C unit drivers (t/unit/tap.h): TAP by default,
 * plan at the end, exit 1 if any assertion failed; or a mode of the
 * driver's when its flag is the first argument. */
#include <stdlib.h>

#include <apr_general.h>

#include "tap.h"

void ok(tap_t *t, int cond, const char *desc)
{
    t->n++;
    if (!cond) {
        t->failed++;
    }
    printf("%sok %d - %s\n", cond ? "" : "not ", t->n, desc);
}

void is_str(tap_t *t, const char *got, const char *want, const char *desc)
{
    int same = got && want && !strcmp(got, want);

    ok(t, same, desc);
    if (!same) {
        printf("#   got:  %s\n#   want: %s\n", got ? got : "(null)",
               want ? want : "(null)");
    }
}

static int run_mode(apr_pool_t *p, int argc, char **argv)
{
    const tap_mode_t *m;

    for (m = tap_suite.modes; m && m->flag; m++) {
        if (!strcmp(argv[1], m->flag)) {
            return m->run(p, argc - 2, argv + 2);
        }
    }
    fprintf(stderr, "%s: unknown argument %s (no argument: the tests, as "
            "TAP)\n", argv[0], argv[1]);
    return 2;
}

static int run_tests(tap_t *t)
{
    const tap_test_fn *f;

    if (!tap_suite.setup || tap_suite.setup(t)) {
        for (f = tap_suite.tests; *f; f++) {
            (*f)(t);
        }
    }
    printf("1..%d\n", t->n);
    return t->failed ? 1 : 0;
}

int main(int argc, char **argv)
{
    tap_t t = { NULL, 0, 0, NULL };
    int rc;

    if (apr_initialize() != APR_SUCCESS
        || apr_pool_create(&t.p, NULL) != APR_SUCCESS) {
        fprintf(stderr, "%s: APR did not initialise\n", argv[0]);
        return 2;
    }
    rc = argc > 1 ? run_mode(t.p, argc, argv) : run_tests(&t);
    fflush(stdout);
    apr_pool_destroy(t.p);
    apr_terminate();
    return rc;
}
