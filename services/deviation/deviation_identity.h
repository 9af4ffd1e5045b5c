/* National identity numbers (fødselsnummer and D-number) must never reach a
 * deviation report: this finds them in free text so the report can be
 * refused, saying where, without the number itself going anywhere. */
#ifndef DEVIATION_IDENTITY_H
#define DEVIATION_IDENTITY_H

#include <stdbool.h>

/* True when the 11 digits carry both mod-11 check digits of a fødselsnummer
 * or D-number (weights 3 7 6 1 8 9 4 5 2 and 5 4 3 2 7 6 5 4 3 2). */
bool deviation_identity_valid(const char digits[11]);

/* The 1-based character position in `text` where a valid identity number
 * starts: 11 digits in a row, or 6 digits, one space and 5 digits, not part
 * of a longer run of digits. 0 when there is none. */
int deviation_identity_find(const char *text);

#endif
