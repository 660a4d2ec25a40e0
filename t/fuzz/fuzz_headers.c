/* libFuzzer target: the header and query parsers that live in core:
 * $select (core/chats_render.c), qvalues and language tags of Accept /
 * Accept-Language (core/chats_header_syntax.c), SO-TimeZone items and
 * the ChatSessionTimeZone check (core/chats_zone.c), If-Match /
 * If-None-Match / If-Unmodified-Since (core/chats_precond.c) and a
 * rights row's readonly_fields (core/chats_caller.c). Splitting the
 * headers into items (Accept's media ranges, SO-TimeZone's list,
 * Accept-Language's ranges) is httpd glue (http/chats_resource.c,
 * chats_tz.c, chats_locale.c), which this target cannot link.
 *
 * Input: one value, given to every parser (up to three NUL-separated
 * parts for the precondition headers).
 *
 * Invariants: a qvalue is -1 or 0-1000; a valid language tag is made of
 * letters, digits and '-'; $select items name a field (and a member of
 * it); a known zone has a zone and an echo. */
#include <strings.h>

#include <apr_lib.h>

#include "chats_caller.h"
#include "chats_header_syntax.h"
#include "chats_precond.h"
#include "chats_render.h"
#include "chats_zone.h"
#include "fuzz.h"

static void check_select(const char *s, apr_pool_t *p)
{
    apr_array_header_t *sel = NULL;
    int i;

    if (chats_select_parse(&sel, &chats_session_def, s, p) != NULL || sel == NULL) {
        return;
    }
    for (i = 0; i < sel->nelts; i++) {
        const chats_select_t *it = &APR_ARRAY_IDX(sel, i, chats_select_t);

        FUZZ_ASSERT(it->field != NULL, "a $select item names no field");
        FUZZ_ASSERT(it->sub == NULL || it->field->carrier != NULL,
                    "a member of a field that is no carrier");
    }
}

static void check_zone(const char *s, apr_pool_t *p)
{
    const char *zone = NULL, *echo = NULL;

    switch (chats_zone_lookup(s, &zone, &echo, p)) {
    case CHATS_ZONE_KNOWN:
        FUZZ_ASSERT(zone && *zone && echo && *echo,
                    "a known zone without a name or an echo");
        chats_zone_is_utc(zone);
        break;
    case CHATS_ZONE_IANA:
        FUZZ_ASSERT(chats_zone_for_pg_name(s) != NULL, "no zone for a name");
        break;
    case CHATS_ZONE_UNKNOWN:
        break;
    }
    chats_zone_check_directive(p, s);
}

static void check_lang(const char *s)
{
    const char *c;
    int q = chats_qvalue_parse(s);

    FUZZ_ASSERT(q >= -1 && q <= 1000, "a qvalue out of range");
    if (chats_lang_tag_is_valid(s)) {
        FUZZ_ASSERT(apr_isalpha(*s), "a tag that starts with no letter");
        for (c = s; *c; c++) {
            FUZZ_ASSERT(apr_isalnum(*c) || *c == '-',
                        "a tag with a character outside [A-Za-z0-9-]");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p = fuzz_pool();
    const char *s = fuzz_strz(p, data, size), *parts[3] = { NULL, NULL, NULL };
    const char *unknown = NULL;
    chats_precond_t pc;
    chats_caller_t c;
    size_t at = 0;
    int i;

    check_select(s, p);
    check_zone(s, p);
    check_lang(s);
    for (i = 0; i < 3 && at <= size; i++) {
        parts[i] = fuzz_strz(p, data + at, strnlen((const char *)data + at,
                                                   size - at));
        at += strlen(parts[i]) + 1;
    }
    chats_precond_read(&pc, parts[0], parts[1], parts[2], p);
    chats_precond_any(&pc);
    FUZZ_ASSERT(!pc.if_match || pc.if_match_any || pc.if_match_list,
                "If-Match given without a list");
    chats_caller_default(&c);
    chats_caller_set_readonly(&c, s, &unknown, p);
    FUZZ_ASSERT(c.nreadonly >= 0 && c.nreadonly <= CHATS_CALLER_MAX_READONLY,
                "too many read-only fields");
    chats_right_from_name(s);
    apr_pool_destroy(p);
    return 0;
}
