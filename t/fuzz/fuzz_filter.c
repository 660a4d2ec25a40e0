/* libFuzzer target: the archive's $filter / $orderBy compiler
 * (core/chats_filter*.c).
 *
 * Input: one byte choosing the zone (even: none, odd: Europe/Oslo) and
 * the first parameter (1-4), then $filter, NUL, $orderBy (no NUL: no
 * $orderBy).
 *
 * Invariants: a success gives SQL in which every $n is one of the bound
 * parameters, no quote but the compiler's own fixed fragments (so no
 * literal reached the SQL text), balanced parentheses, and parameters
 * that are valid UTF-8; a failure is CHATS_E_INVALID with a message that
 * starts with the parameter's name and is valid UTF-8. */
#include <apr_strings.h>

#include "chats_filter.h"
#include "chats_json.h"
#include "fuzz.h"

/* What the compiler writes itself between quotes (member expressions
 * included): dropped before looking for a quote. */
static const char *const fixed[] = { "'day'", "'UTC'", "' '", "''",
                                     "'1 second'", "'1 day'", NULL };

static void check_sql(apr_pool_t *p, const char *sql, int first, int n)
{
    char *s = apr_pstrdup(p, sql), *q;
    int i, depth = 0;

    for (i = 0; fixed[i]; i++) {
        apr_size_t len = strlen(fixed[i]);

        while ((q = strstr(s, fixed[i])) != NULL) {
            memset(q, ' ', len);
        }
    }
    for (q = s; *q; q++) {
        FUZZ_ASSERT(*q != '\'' && *q != ';', "a quote or ';' in the SQL");
        depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
        FUZZ_ASSERT(depth >= 0, "a ')' before its '('");
        if (*q == '$') {
            long k = strtol(q + 1, NULL, 10);

            FUZZ_ASSERT(k >= first && k < first + n, "an unbound $n");
        }
    }
    FUZZ_ASSERT(depth == 0, "unbalanced parentheses");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const uint8_t *a, *b;
    size_t alen, blen;
    chats_filter_env_t env;
    chats_filter_sql_t *out = NULL;
    chats_err_t *e;
    int i;

    if (size < 1) {
        apr_pool_destroy(p);
        return 0;
    }
    env.zone = data[0] & 1 ? "Europe/Oslo" : NULL;
    env.first_param = 1 + ((data[0] >> 1) & 3);
    fuzz_split(data + 1, size - 1, &a, &alen, &b, &blen);
    e = chats_filter_compile(p, fuzz_strz(p, a, alen),
                             memchr(data + 1, '\0', size - 1)
                                 ? fuzz_strz(p, b, blen) : NULL,
                             &env, &out);
    if (e) {
        FUZZ_ASSERT(e->code == CHATS_E_INVALID, "an error of another kind");
        FUZZ_ASSERT(!strncmp(e->message, "$filter: ", 9)
                    || !strncmp(e->message, "$orderBy: ", 10),
                    "an error naming no parameter");
        FUZZ_ASSERT(chats_utf8_valid(e->message, strlen(e->message)),
                    "an error message that is not UTF-8");
    }
    else {
        int n = out->params->nelts;

        if (out->where) {
            check_sql(p, out->where, env.first_param, n);
        }
        if (out->order_by) {
            check_sql(p, out->order_by, env.first_param, n);
        }
        for (i = 0; i < n; i++) {
            const char *v = APR_ARRAY_IDX(out->params, i, chats_param_t).value;

            FUZZ_ASSERT(v && chats_utf8_valid(v, strlen(v)),
                        "a parameter that is not UTF-8");
        }
    }
    apr_pool_destroy(p);
    return 0;
}
