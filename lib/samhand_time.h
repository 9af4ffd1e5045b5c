/* Time as the partnership lives it: Europe/Oslo (CET, CEST from the last
 * Sunday of March to the last Sunday of October, switching at 01:00 UTC),
 * Norwegian date and clock formats, and working days without weekends and
 * Norwegian public holidays. No tz database needed. */
#ifndef SAMHAND_TIME_H
#define SAMHAND_TIME_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Seconds Oslo is ahead of UTC at `utc`: 3600 or 7200. */
int time_oslo_offset(int64_t utc);

/* Broken-down Oslo wall-clock time of `utc`. */
void time_oslo(int64_t utc, struct tm *out);

/* UTC of an Oslo wall-clock time. In the hour that repeats in October the
 * first is taken; in the hour skipped in March, the time after the jump. */
int64_t time_oslo_to_utc(int year, int month, int day, int hour, int minute);

/* "08.02.2023" */
void time_format_date(int64_t utc, char out[11]);

/* "13.00" */
void time_format_clock(int64_t utc, char out[6]);

/* Norwegian public holidays: 1 Jan, Maundy Thursday, Good Friday, Easter
 * Sunday and Monday, 1 May, 17 May, Ascension Day, Whit Sunday and Monday,
 * 25-26 Dec. `month` is 1-12. */
bool time_is_public_holiday(int year, int month, int day);

/* Not a Saturday, Sunday or public holiday. */
bool time_is_working_day(int year, int month, int day);

/* The date `days` working days after the given one (days >= 0; 0 gives the
 * date itself, or the next working day if it is none). */
void time_add_working_days(int *year, int *month, int *day, int days);

/* The working days after `from` up to and including `to`, both
 * "YYYY-MM-DD"; counting starts at the first working day on or after `from`,
 * as deadlines do. 0 when `to` is not after that day or `from` is no date. */
int time_working_days_between(const char *from, const char *to);

/* The Oslo date of `utc` as "YYYY-MM-DD": today, given the clock's now. */
void time_oslo_date_iso(int64_t utc, char out[11]);

/* Easter Sunday of `year` (Gregorian). */
void time_easter(int year, int *month, int *day);

#endif
