/* The query string's one parser (chats_qstring.h). */
#include <apr_lib.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <string.h>

#include "chats_qstring.h"

static const char *const names[CHATS_Q__N] = {
    [CHATS_Q_SELECT] = "$select",
    [CHATS_Q_FILTER] = "$filter",
    [CHATS_Q_ORDERBY] = "$orderBy",
    [CHATS_Q_TOP] = "$top",
    [CHATS_Q_SKIP] = "$skip",
    [CHATS_Q_FORMAT] = "$format",
    [CHATS_Q_AFTER] = "after",
    [CHATS_Q_WAIT] = "wait",
    [CHATS_Q_HTML] = "html",
    [CHATS_Q_ENTITY_ID] = "chatSessionEntityId",
    [CHATS_Q_TOPIC_ENTITY_ID] = "chatTopicEntityId",
    [CHATS_Q_WEBHOOK_ID] = "webhookId",
    [CHATS_Q_FLAT] = "flat",
    [CHATS_Q_ONLY_PRESENT] = "onlyPresent",
    [CHATS_Q_NAME] = "name",
    [CHATS_Q_NAME_FILTER] = "nameFilter",
    [CHATS_Q_EVENT] = "event",
    [CHATS_Q_EVENT_FILTER] = "eventFilter",
    [CHATS_Q_STATUS] = "status",
    [CHATS_Q_STATUS_FILTER] = "statusFilter",
};

chats_qparam_e chats_qparam_of(const char *name)
{
    int i;

    for (i = 0; name && i < CHATS_Q__N; i++) {
        if (!strcasecmp(name, names[i])) {
            return (chats_qparam_e)i;
        }
    }
    return CHATS_Q__N;
}

const char *chats_qparam_name(chats_qparam_e which)
{
    return which < CHATS_Q__N ? names[which] : NULL;
}

chats_qparam_e chats_qstring_entity_id(const chats_route_def_t *row)
{
    const char *name = chats_route_entity(row)->agent_id_query;

    return !name ? CHATS_Q_ENTITY_ID
         : !strcmp(name, names[CHATS_Q_TOPIC_ENTITY_ID])
         ? CHATS_Q_TOPIC_ENTITY_ID
         : !strcmp(name, names[CHATS_Q_WEBHOOK_ID]) ? CHATS_Q_WEBHOOK_ID
         : CHATS_Q_ENTITY_ID;
}

unsigned chats_qstring_reads(const chats_route_def_t *row)
{
    unsigned a = row->args, m = 0;

    if (chats_route_family_is_agent(row->family)) {
        return (a & CHATS_ARG_ENTITY_ID)
               ? CHATS_Q_BIT(chats_qstring_entity_id(row)) : 0;
    }
    if (row->op == CHATS_OP_LIST) {
        m |= CHATS_Q_BIT(CHATS_Q_FILTER) | CHATS_Q_BIT(CHATS_Q_ORDERBY)
             | CHATS_Q_BIT(CHATS_Q_TOP) | CHATS_Q_BIT(CHATS_Q_SKIP)
             | CHATS_Q_BIT(CHATS_Q_FORMAT);
    }
    m |= (a & CHATS_ARG_SELECT) ? CHATS_Q_BIT(CHATS_Q_SELECT) : 0;
    m |= (a & CHATS_ARG_AFTER) ? CHATS_Q_BIT(CHATS_Q_AFTER) : 0;
    m |= (a & CHATS_ARG_WAIT) ? CHATS_Q_BIT(CHATS_Q_WAIT) : 0;
    m |= (a & CHATS_ARG_HTML) ? CHATS_Q_BIT(CHATS_Q_HTML) : 0;
    m |= (a & CHATS_ARG_FLAT) ? CHATS_Q_BIT(CHATS_Q_FLAT) : 0;
    m |= (a & CHATS_ARG_ONLY_PRESENT) ? CHATS_Q_BIT(CHATS_Q_ONLY_PRESENT)
                                      : 0;
    if (a & CHATS_ARG_FILTERS) {
        m |= CHATS_Q_BIT(CHATS_Q_NAME) | CHATS_Q_BIT(CHATS_Q_NAME_FILTER)
             | CHATS_Q_BIT(CHATS_Q_EVENT) | CHATS_Q_BIT(CHATS_Q_EVENT_FILTER)
             | CHATS_Q_BIT(CHATS_Q_STATUS)
             | CHATS_Q_BIT(CHATS_Q_STATUS_FILTER);
    }
    return m;
}

/* Is raw[i] a '%' that does not decode (%00 or a bad escape)? */
static int bad_escape(const char *raw, apr_size_t i)
{
    return raw[i] == '%'
        && (!apr_isxdigit(raw[i + 1]) || !apr_isxdigit(raw[i + 2])
            || (raw[i + 1] == '0' && raw[i + 2] == '0'));
}

/* What decodes of raw before its first %00 or bad escape. */
static const char *decoded_prefix(apr_pool_t *p, const char *raw)
{
    apr_size_t i = 0;
    const char *out = "";

    while (raw[i] && !bad_escape(raw, i)) {
        i++;
    }
    chats_qstring_decode(p, "", apr_pstrndup(p, raw, i), &out);
    return out;
}

/* The parameter a pair's raw name is, among reads: CHATS_Q__N for none.
 * A name that does not decode is none, unless what decodes of it starts
 * with one the route reads: a %00 there cuts the name where C would
 * read it, so it is refused (*pe), not guessed. */
static chats_qparam_e which_of(apr_pool_t *p, const char *raw,
                               unsigned reads, chats_err_t **pe)
{
    const char *name;
    int i, cut = chats_qstring_decode(p, "", raw, &name) != NULL;

    if (cut) {
        name = decoded_prefix(p, raw);
    }
    for (i = 0; i < CHATS_Q__N; i++) {
        if (!(reads & CHATS_Q_BIT(i))) {
            continue;
        }
        if (cut && !strncasecmp(name, names[i], strlen(names[i]))) {
            *pe = chats_err_make(p, CHATS_E_INVALID, names[i], "%s: the "
                                 "parameter name is not a valid URL "
                                 "encoding", names[i]);
            return CHATS_Q__N;
        }
        if (!cut && !strcasecmp(name, names[i])) {
            return (chats_qparam_e)i;
        }
    }
    return CHATS_Q__N;
}

chats_err_t *chats_qstring_parse(apr_pool_t *p, const char *args,
                                 unsigned reads, chats_qstring_t *qs)
{
    char *copy = apr_pstrdup(p, args ? args : ""), *pair, *last;

    memset(qs, 0, sizeof(*qs));
    for (pair = apr_strtok(copy, "&", &last); pair && reads;
         pair = apr_strtok(NULL, "&", &last)) {
        char *eq = strchr(pair, '=');
        chats_err_t *e = NULL;
        chats_qparam_e w;

        if (eq) {
            *eq = '\0';
        }
        if ((w = which_of(p, pair, reads, &e)) == CHATS_Q__N) {
            if (e) {
                return e;
            }
            continue;
        }
        if (qs->raw[w]) {
            return chats_err_make(p, CHATS_E_INVALID, names[w],
                                  "%s: given more than once", names[w]);
        }
        qs->raw[w] = eq ? eq + 1 : "";
    }
    return NULL;
}

chats_err_t *chats_qstring_get(apr_pool_t *p, const chats_qstring_t *qs,
                               chats_qparam_e which, const char **pval)
{
    *pval = NULL;
    if (which >= CHATS_Q__N || !qs->raw[which]) {
        return NULL;
    }
    return chats_qstring_decode(p, names[which], qs->raw[which], pval);
}

static int hexval(char c)
{
    return apr_isdigit(c) ? c - '0' : apr_tolower(c) - 'a' + 10;
}

/* Does the word w end at out[i] (exclusive), not preceded by a letter? */
static int word_before(const char *out, apr_size_t i, const char *w)
{
    apr_size_t n = strlen(w);

    return i >= n && !strncasecmp(out + i - n, w, n)
        && (i == n || !apr_isalnum(out[i - n - 1]));
}

/* Does a time of day ("10:00", "10:00:00.5") end at out[i] (exclusive),
 * after the 'T' (or blank) of a date-time? */
static int time_before(const char *out, apr_size_t i)
{
    apr_size_t k = i;
    int colon = 0;

    while (k > 0 && (apr_isdigit(out[k - 1]) || out[k - 1] == ':'
                     || out[k - 1] == '.')) {
        colon |= out[--k] == ':';
    }
    return colon && i - k >= 5 && apr_isdigit(out[i - 1]) && k > 0
        && (out[k - 1] == 'T' || out[k - 1] == 't' || out[k - 1] == ' ');
}

chats_err_t *chats_qstring_decode(apr_pool_t *p, const char *what,
                                  const char *raw, const char **pout)
{
    apr_size_t len = strlen(raw), i, n = 0;
    char *out = apr_palloc(p, len + 1);
    char *plus = apr_pcalloc(p, len + 1);

    for (i = 0; i < len; i++) {
        if (raw[i] == '%') {
            if (bad_escape(raw, i)) {
                return chats_err_make(p, CHATS_E_INVALID, what,
                                      "%s: %%00 and bad %% escapes are "
                                      "not allowed", what);
            }
            out[n++] = (char)(hexval(raw[i + 1]) * 16 + hexval(raw[i + 2]));
            i += 2;
        }
        else if (raw[i] == '+') {
            plus[n] = 1;
            out[n++] = ' ';
        }
        else {
            out[n++] = raw[i];
        }
    }
    out[n] = '\0';
    for (i = 0; i < n; i++) {
        if (plus[i] && apr_isdigit(out[i + 1])
            && (word_before(out, i, "today") || word_before(out, i, "now")
                || (apr_isdigit(out[i + 2]) && time_before(out, i)))) {
            out[i] = '+';
        }
    }
    *pout = out;
    return NULL;
}

const char *chats_qstring_replace(apr_pool_t *p, const char *args,
                                  const char *name, const char *value)
{
    char *copy = apr_pstrdup(p, args ? args : ""), *pair, *last;
    apr_array_header_t *keep = apr_array_make(p, 8, sizeof(const char *));

    for (pair = apr_strtok(copy, "&", &last); pair;
         pair = apr_strtok(NULL, "&", &last)) {
        const char *dec;
        char *eq = strchr(pair, '=');

        if (chats_qstring_decode(p, "", eq ? apr_pstrndup(p, pair, eq - pair)
                                           : pair, &dec) == NULL
            && !strcasecmp(dec, name)) {
            continue;
        }
        APR_ARRAY_PUSH(keep, const char *) = pair;
    }
    APR_ARRAY_PUSH(keep, const char *) = apr_pstrcat(p, name, "=", value,
                                                      NULL);
    return apr_array_pstrcat(p, keep, '&');
}
