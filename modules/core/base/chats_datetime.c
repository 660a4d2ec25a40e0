/* Civil-date arithmetic after H. Hinnant's days_from_civil/civil_from_days:
 * exact for the proleptic Gregorian calendar, no tables, no libc TZ. */
#include <apr_lib.h>
#include <apr_strings.h>
#include <string.h>

#include "chats_datetime.h"

#define USEC_PER_SEC APR_INT64_C(1000000)
#define SEC_PER_DAY  APR_INT64_C(86400)

static apr_int64_t days_from_civil(apr_int64_t y, int m, int d)
{
    apr_int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(apr_int64_t z, int *py, int *pm, int *pd)
{
    apr_int64_t era, doe, yoe, y, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *pd = (int)(doy - (153 * mp + 2) / 5 + 1);
    *pm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *py = (int)(y + (*pm <= 2));
}

static int days_in_month(int y, int m)
{
    static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return (m == 2 && leap) ? 29 : dim[m - 1];
}

/* Reads exactly n digits at *ps (within end) into *pv. */
static int digits(const char **ps, const char *end, int n, int *pv)
{
    int v = 0;

    if (end - *ps < n) {
        return 0;
    }
    while (n--) {
        if (!apr_isdigit(**ps)) {
            return 0;
        }
        v = v * 10 + (*(*ps)++ - '0');
    }
    *pv = v;
    return 1;
}

static int lit(const char **ps, const char *end, char c)
{
    if (*ps < end && **ps == c) {
        (*ps)++;
        return 1;
    }
    return 0;
}

/* ".f{1,7}": microseconds, the 7th digit rounding half up (*pup = 1 when
 * it did). */
static int fraction(const char **ps, const char *end, apr_int64_t *pus,
                    int *pup)
{
    apr_int64_t us = 0;
    int n = 0, seventh = -1;

    while (*ps < end && apr_isdigit(**ps)) {
        if (n < 6) {
            us = us * 10 + (**ps - '0');
        }
        else if (n == 6) {
            seventh = **ps - '0';
        }
        else {
            return 0;           /* more than 7 digits */
        }
        n++;
        (*ps)++;
    }
    if (n == 0) {
        return 0;
    }
    for (; n < 6; n++) {
        us *= 10;
    }
    *pup = (seventh >= 5);
    *pus = us + *pup;
    return 1;
}

/* Z, +HH:MM, +HHMM, +HH or nothing; *poff in seconds east of UTC. */
static int offset(const char **ps, const char *end, int *poff)
{
    int sign, hh, mm = 0;

    *poff = 0;
    if (*ps == end || lit(ps, end, 'Z') || lit(ps, end, 'z')) {
        return *ps == end;
    }
    if (**ps != '+' && **ps != '-') {
        return 0;
    }
    sign = (*(*ps)++ == '-') ? -1 : 1;
    if (!digits(ps, end, 2, &hh) || hh > 23) {
        return 0;
    }
    if (*ps < end) {
        lit(ps, end, ':');
        if (!digits(ps, end, 2, &mm) || mm > 59) {
            return 0;
        }
    }
    *poff = sign * (hh * 3600 + mm * 60);
    return *ps == end;
}

int chats_dt_parse(const char *s, apr_size_t len, apr_int64_t *pusec)
{
    const char *end = s + len;
    int y, mo, d, h = 0, mi = 0, sec = 0, off = 0, up = 0;
    apr_int64_t us = 0, usec;

    if (!digits(&s, end, 4, &y) || !lit(&s, end, '-')
        || !digits(&s, end, 2, &mo) || !lit(&s, end, '-')
        || !digits(&s, end, 2, &d)) {
        return 0;
    }
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) {
        return 0;
    }
    if (s < end) {
        if (!(lit(&s, end, 'T') || lit(&s, end, 't') || lit(&s, end, ' '))
            || !digits(&s, end, 2, &h) || !lit(&s, end, ':')
            || !digits(&s, end, 2, &mi) || h > 23 || mi > 59) {
            return 0;
        }
        if (lit(&s, end, ':')) {
            if (!digits(&s, end, 2, &sec) || sec > 59) {
                return 0;
            }
            if (lit(&s, end, '.') && !fraction(&s, end, &us, &up)) {
                return 0;
            }
        }
        if (!offset(&s, end, &off)) {
            return 0;
        }
    }
    usec = ((days_from_civil(y, mo, d) * SEC_PER_DAY
             + h * 3600 + mi * 60 + sec - off) * USEC_PER_SEC) + us;
    /* .NET's DateTime.MaxValue, 9999-12-31T23:59:59.9999999Z, would round
     * into year 10000: it is kept at the last microsecond instead. */
    if (up && usec == CHATS_DT_MAX + 1) {
        usec = CHATS_DT_MAX;
    }
    /* An offset can move a valid wall time out of the range (issue 8,
     * finding 8): such an instant has no year-1-9999 rendering in UTC,
     * so it is not a date-time we take. */
    if (usec < CHATS_DT_MIN || usec > CHATS_DT_MAX) {
        return 0;
    }
    *pusec = usec;
    return 1;
}

static void split(apr_int64_t usec, int *f, apr_int64_t *pus)
{
    apr_int64_t secs = usec / USEC_PER_SEC, us = usec % USEC_PER_SEC, days;

    if (us < 0) {
        us += USEC_PER_SEC;
        secs--;
    }
    days = secs / SEC_PER_DAY;
    secs %= SEC_PER_DAY;
    if (secs < 0) {
        secs += SEC_PER_DAY;
        days--;
    }
    civil_from_days(days, &f[0], &f[1], &f[2]);
    f[3] = (int)(secs / 3600);
    f[4] = (int)(secs / 60 % 60);
    f[5] = (int)(secs % 60);
    *pus = us;
}

const char *chats_dt_format(apr_pool_t *p, apr_int64_t usec)
{
    int f[6];
    apr_int64_t us;

    split(usec, f, &us);
    return apr_psprintf(p, "%04d-%02d-%02dT%02d:%02d:%02d.%06" APR_INT64_T_FMT
                        "0+00:00", f[0], f[1], f[2], f[3], f[4], f[5], us);
}

const char *chats_dt_format_sql(apr_pool_t *p, apr_int64_t usec)
{
    int f[6];
    apr_int64_t us;

    split(usec, f, &us);
    return apr_psprintf(p, "%04d-%02d-%02d %02d:%02d:%02d.%06" APR_INT64_T_FMT
                        "+00", f[0], f[1], f[2], f[3], f[4], f[5], us);
}

const char *chats_dt_format_local(apr_pool_t *p, apr_int64_t usec,
                                  int offset)
{
    int mins = (offset >= 0 ? offset + 30 : offset - 30) / 60, a;
    const char *text;
    char *out;

    text = chats_dt_format(p, usec + (apr_int64_t)mins * 60
                              * APR_INT64_C(1000000));
    if (!strncmp(text, "0000", 4) || strlen(text) != 33) {
        mins = 0;                        /* before year 1, after 9999 */
        text = chats_dt_format(p, usec);
    }
    out = apr_pstrdup(p, text);
    a = mins < 0 ? -mins : mins;
    /* "YYYY-MM-DDTHH:MM:SS.fffffff" + "+00:00" */
    apr_snprintf(out + 27, 7, "%c%02d:%02d", mins < 0 ? '-' : '+',
                 a / 60, a % 60);
    return out;
}

int chats_dt_has_designator(const char *s, apr_size_t len)
{
    apr_size_t i;

    if (len > 0 && (s[len - 1] == 'Z' || s[len - 1] == 'z')) {
        return 1;
    }
    /* a sign after the time part ("T" or " " then HH:MM...) */
    for (i = 0; i < len; i++) {
        if (s[i] == 'T' || s[i] == 't' || s[i] == ' ') {
            break;
        }
    }
    for (; i < len; i++) {
        if (s[i] == '+' || s[i] == '-') {
            return 1;
        }
    }
    return 0;
}

/* ---- times of day (durations) ---------------------------------------- */

/* n (1..maxd) decimal digits at *ps, as a number: -1 when there are none
 * or more than maxd. */
static long duration_digits(const char **ps, const char *end, int maxd)
{
    const char *s = *ps;
    long n = 0;

    while (s < end && *s >= '0' && *s <= '9' && s - *ps < maxd) {
        n = n * 10 + (*s++ - '0');
    }
    if (s == *ps || (s < end && *s >= '0' && *s <= '9')) {
        return -1;
    }
    *ps = s;
    return n;
}

/* "H:MM" or "HH:MM[:SS]". */
static int clock_parse(const char *s, const char *end, long *psec)
{
    long h, m, sec = 0;

    if ((h = duration_digits(&s, end, 2)) < 0 || s == end || *s++ != ':'
        || end - s < 2 || (m = duration_digits(&s, end, 2)) < 0
        || s[-2] == ':') {
        return 0;
    }
    if (s < end) {
        if (*s++ != ':' || end - s != 2
            || (sec = duration_digits(&s, end, 2)) < 0) {
            return 0;
        }
    }
    if (s != end || h > 23 || m > 59 || sec > 59) {
        return 0;
    }
    *psec = h * 3600 + m * 60 + sec;
    return 1;
}

/* P[0D][T[nH][nM][nS]]: designators in order, each once, at least one
 * after a T; the whole under a day. */
static int iso_duration_parse(const char *s, const char *end, long *psec)
{
    static const char units[] = "HMS";
    static const long scale[] = { 3600, 60, 1 };
    long n, total = 0;
    int u = 0, any = 0, timed = 0;

    if (s == end || *s++ != 'P' || s == end) {
        return 0;
    }
    if (*s != 'T') {
        if ((n = duration_digits(&s, end, 9)) < 0 || s == end || *s++ != 'D'
            || n != 0) {
            return 0;                     /* only a day count of 0 */
        }
        any = 1;
    }
    if (s < end) {
        if (*s++ != 'T') {
            return 0;
        }
        timed = 1;
    }
    while (s < end) {
        if ((n = duration_digits(&s, end, 9)) < 0 || n > 86399
            || s == end) {
            return 0;                     /* (and no overflow below) */
        }
        while (u < 3 && units[u] != *s) {
            u++;
        }
        if (u == 3) {
            return 0;                     /* out of order, or not a unit */
        }
        total += n * scale[u++];
        s++;
        any = timed = 2;
    }
    if (!any || timed == 1 || total > 86399) {
        return 0;
    }
    *psec = total;
    return 1;
}

int chats_duration_parse(const char *s, apr_size_t len, int *psec)
{
    long sec;

    if (!(len && s[0] == 'P' ? iso_duration_parse(s, s + len, &sec)
                             : clock_parse(s, s + len, &sec))) {
        return 0;
    }
    *psec = (int)sec;
    return 1;
}

const char *chats_duration_format(apr_pool_t *p, int sec)
{
    sec = sec < 0 ? 0 : sec > 86399 ? 86399 : sec;
    return apr_psprintf(p, "%02d:%02d:%02d", sec / 3600, sec / 60 % 60,
                        sec % 60);
}
