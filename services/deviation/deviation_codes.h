/* The category code list across its versions, without the database: the
 * code of today's list that a code of any version counts under, by the
 * mapping each version gives from the codes it retired (deviation_codes.c). */
#ifndef DEVIATION_CODES_H
#define DEVIATION_CODES_H

#include <stddef.h>

/* One code a version retired and the code of that version that takes its place. */
typedef struct {
    const char *from, *to;
} deviation_code_map_t;

/* The code `code` counts under today: followed through `map` (n rows,
 * any order) until no row maps it further; itself when none does ("" too).
 * A cycle, which the loading refuses, ends after n steps. Borrowed from
 * `map` or `code`. */
const char *deviation_code_current(const deviation_code_map_t *map, size_t n, const char *code);

/* Whether `code` is a code as the list writes them: 2-40 of A-Z, 0-9 and
 * '-', starting with a letter ("SAM-EPIKRISE"). */
int deviation_code_valid(const char *code);

#endif
