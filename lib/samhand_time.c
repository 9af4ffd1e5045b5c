/* Oslo time and Norwegian working days; see samhand_time.h. */
#include "samhand_time.h"

#include <stdio.h>

/* Days from 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t s_days(int year, int month, int day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void s_civil(int64_t days, int *year, int *month, int *day)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(yoe + era * 400 + (*month <= 2));
}

/* 0 = Sunday */
static int s_weekday(int64_t days)
{
    return (int)(((days % 7) + 11) % 7);
}

/* The last Sunday of `month` at 01:00 UTC. */
static int64_t s_switch(int year, int month)
{
    int64_t last = s_days(year, month, 31);
    return (last - s_weekday(last)) * 86400 + 3600;
}

int time_oslo_offset(int64_t utc)
{
    int year, month, day;
    s_civil(utc >= 0 ? utc / 86400 : (utc - 86399) / 86400, &year, &month, &day);
    return utc >= s_switch(year, 3) && utc < s_switch(year, 10) ? 7200 : 3600;
}

void time_oslo(int64_t utc, struct tm *out)
{
    time_t local = (time_t)(utc + time_oslo_offset(utc));
    gmtime_r(&local, out);
}

int64_t time_oslo_to_utc(int year, int month, int day, int hour, int minute)
{
    int64_t wall = s_days(year, month, day) * 86400 + hour * 3600 + minute * 60;
    /* try standard time first, then summer time */
    int64_t as_cet = wall - 3600, as_cest = wall - 7200;
    if (time_oslo_offset(as_cest) == 7200)
        return as_cest;
    if (time_oslo_offset(as_cet) == 3600)
        return as_cet;
    return as_cet; /* the skipped hour in March: after the jump */
}

void time_format_date(int64_t utc, char out[11])
{
    struct tm tm;
    time_oslo(utc, &tm);
    snprintf(out, 11, "%02u.%02u.%04u", (unsigned)tm.tm_mday % 100u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)(tm.tm_year + 1900) % 10000u);
}

void time_format_clock(int64_t utc, char out[6])
{
    struct tm tm;
    time_oslo(utc, &tm);
    snprintf(out, 6, "%02u.%02u", (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u);
}

void time_easter(int year, int *month, int *day)
{
    int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    *month = (h + l - 7 * m + 114) / 31;
    *day = ((h + l - 7 * m + 114) % 31) + 1;
}

bool time_is_public_holiday(int year, int month, int day)
{
    if ((month == 1 && day == 1) || (month == 5 && (day == 1 || day == 17)) ||
        (month == 12 && (day == 25 || day == 26)))
        return true;
    int em, ed;
    time_easter(year, &em, &ed);
    int64_t easter = s_days(year, em, ed), date = s_days(year, month, day);
    static const int offsets[] = {-3, -2, 0, 1, 39, 49, 50};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        if (date == easter + offsets[i])
            return true;
    return false;
}

bool time_is_working_day(int year, int month, int day)
{
    int weekday = s_weekday(s_days(year, month, day));
    return weekday != 0 && weekday != 6 && !time_is_public_holiday(year, month, day);
}

void time_add_working_days(int *year, int *month, int *day, int days)
{
    int64_t d = s_days(*year, *month, *day);
    s_civil(d, year, month, day);
    while (!time_is_working_day(*year, *month, *day))
        s_civil(++d, year, month, day);
    while (days > 0) {
        s_civil(++d, year, month, day);
        if (time_is_working_day(*year, *month, *day))
            days--;
    }
}

int time_working_days_between(const char *from, const char *to)
{
    int year, month, day, to_year, to_month, to_day;
    if (sscanf(from, "%d-%d-%d", &year, &month, &day) != 3 ||
        sscanf(to, "%d-%d-%d", &to_year, &to_month, &to_day) != 3)
        return 0;
    int64_t d = s_days(year, month, day), last = s_days(to_year, to_month, to_day);
    s_civil(d, &year, &month, &day);
    while (!time_is_working_day(year, month, day))
        s_civil(++d, &year, &month, &day);
    int n = 0;
    while (++d <= last) {
        s_civil(d, &year, &month, &day);
        n += time_is_working_day(year, month, day);
    }
    return n;
}

void time_oslo_date_iso(int64_t utc, char out[11])
{
    struct tm tm;
    time_oslo(utc, &tm);
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
}
