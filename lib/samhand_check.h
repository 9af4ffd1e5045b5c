/* Syntax checks of input values that every service needs: UUIDs, calendar
 * dates, e-mail addresses, text lengths. No business rules here. */
#ifndef SAMHAND_CHECK_H
#define SAMHAND_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* 8-4-4-4-12 hexadecimal, as PostgreSQL prints a uuid. */
bool check_uuid(const char *text);

/* YYYY-MM-DD naming a real day of the Gregorian calendar. */
bool check_date(const char *text);

/* A plausible address: one '@', a non-empty local part, a dotted domain,
 * no spaces or control characters, at most 254 bytes. */
bool check_email(const char *text);

/* Valid UTF-8 with at most `max_chars` characters and no control characters
 * other than newline and tab. */
bool check_text(const char *text, size_t max_chars);

/* True for NULL or "". */
bool check_empty(const char *text);

/* The roles of samhand's principals, NULL-terminated: administrator,
 * secretariat, secretary, member, reporter, quality, integration. */
extern const char *const check_roles[];

/* One of check_roles. */
bool check_role(const char *text);

/* A media type as RFC 9110 writes it (type "/" subtype, then parameters
 * ';' token '=' (token or quoted-string), at most 255 bytes, no control
 * characters): safe to send as a Content-Type header. */
bool check_media_type(const char *text);

/* Cuts `text` in place before its first byte that is not whole UTF-8 (a
 * character cut by a byte limit, as "%.200s" and snprintf cut): what is
 * left is valid UTF-8, as PostgreSQL and JSON want it. */
void check_utf8_cut(char *text);

#endif
