/* National identity numbers (fødselsnummer, D-number, H-number and FH-number)
 * must never reach a deviation report: this finds them in free text as people
 * write them, so the report can be refused, saying where, without the number
 * itself going anywhere. */
#ifndef DEVIATION_IDENTITY_H
#define DEVIATION_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

/* 1 January 2032 00.00 Europe/Oslo: numbers issued from then on may have a
 * first check digit of Skatteetaten's new computation. */
#define DEVIATION_IDENTITY_NEW_SERIES_S INT64_C(1956524400)

/* Where an identity number stands in a text, in characters (not bytes). */
typedef struct {
    int position; /* 1-based character of its first digit; 0 when there is none */
    int length;   /* characters from its first digit to its last, separators included */
} deviation_identity_at_t;

/* True when the 11 digits (ASCII) are shaped like an identity number and carry
 * its check digits as they held at `written_s` (Unix seconds). The shape: a
 * date ddmmyy, its day + 40 for a D-number, its month + 40 for an H-number;
 * or a first digit 8 or 9 (FH-number, no date). The first check: the sum of
 * the first ten digits weighted 3 7 6 1 8 9 4 5 2 1, modulo 11, is 0; from
 * DEVIATION_IDENTITY_NEW_SERIES_S also 1, 2 or 3. The second: all eleven
 * weighted 5 4 3 2 7 6 5 4 3 2 1, modulo 11, is 0. */
bool deviation_identity_valid(const char digits[11], int64_t written_s);

/* The first identity number in `text` (UTF-8) as one writes it: eleven
 * digits, not part of a longer run of digits, ASCII or full-width; between
 * the date's parts and before the individual number any short run of spaces
 * (Unicode ones too), '-', '.' and the like, the date either whole or in all
 * three parts; a line break (and invisible characters) anywhere. Checked as
 * the rules held at `written_s`. {0, 0} when there is none. */
deviation_identity_at_t deviation_identity_find(const char *text, int64_t written_s);

#endif
