/* libFuzzer target: the ISO 8601 date-time parser and formatters
 * (core/chats_datetime.c).
 *
 * Input: bytes 0-2 an offset in seconds for the local formatter (within
 * ±23:59:29, which rounds to the ±23:59 the parser reads; real zones
 * stay within ±16:00, PostgreSQL's local mean times included), then the
 * text.
 *
 * Invariants: a date-time read formats (UTC, SQL, local) as text that
 * reads back as the same instant, within years 1-9999 (the formatters'
 * range); a text the parser reads ends in a designator exactly when
 * chats_dt_has_designator says so, for offset-less texts. The same text
 * as a time of day (chats_duration_parse): a second of the day, whose
 * "HH:MM:SS" reads back as itself. */
#include "chats_datetime.h"
#include "fuzz.h"

/* Microseconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z. */
#define DT_MIN (-62135596800LL * 1000000LL)
#define DT_MAX (253402300799LL * 1000000LL + 999999LL)
#define OFF_MAX (23 * 3600 + 59 * 60 + 29)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    apr_int64_t us = 0, back = 0;
    const char *s, *f;
    int offset, sec = -1, sec2 = -1;

    if (size < 3) {
        return 0;
    }
    offset = (int)((data[0] << 16 | data[1] << 8 | data[2])
                   % (2 * OFF_MAX + 1)) - OFF_MAX;
    p = fuzz_pool();
    s = fuzz_strz(p, data + 3, size - 3);
    chats_dt_has_designator(s, size - 3);
    if (chats_dt_parse(s, size - 3, &us)) {
        /* offsets up to ±23:59, and a 7th digit rounding up */
        FUZZ_ASSERT(us >= DT_MIN - 24LL * 3600 * 1000000
                    && us <= DT_MAX + 24LL * 3600 * 1000000 + 1,
                    "an instant far outside years 1-9999");
        if (us >= DT_MIN && us <= DT_MAX) {
            f = chats_dt_format(p, us);
            FUZZ_ASSERT(chats_dt_parse(f, strlen(f), &back) && back == us,
                        "a formatted date-time reads back differently");
            FUZZ_ASSERT(chats_dt_has_designator(f, strlen(f)),
                        "a formatted date-time has no designator");
            f = chats_dt_format_local(p, us, offset);
            FUZZ_ASSERT(chats_dt_parse(f, strlen(f), &back) && back == us,
                        "a local date-time reads back differently");
            f = chats_dt_format_sql(p, us);
            FUZZ_ASSERT(f != NULL, "no SQL text");
        }
    }
    if (chats_duration_parse(s, size - 3, &sec)) {
        FUZZ_ASSERT(sec >= 0 && sec <= 86399, "a time of day out of a day");
        f = chats_duration_format(p, sec);
        FUZZ_ASSERT(strlen(f) == 8 && chats_duration_parse(f, 8, &sec2)
                    && sec2 == sec, "a time of day reads back differently");
    }
    apr_pool_destroy(p);
    return 0;
}
