/* The category code list across versions; see deviation_codes.h. */
#include "deviation_codes.h"

#include <string.h>

const char *deviation_code_current(const deviation_code_map_t *map, size_t n, const char *code)
{
    for (size_t steps = 0; code[0] && steps < n; steps++) {
        const char *next = NULL;
        for (size_t i = 0; i < n && !next; i++)
            if (strcmp(map[i].from, code) == 0)
                next = map[i].to;
        if (!next)
            break;
        code = next;
    }
    return code;
}

int deviation_code_valid(const char *code)
{
    size_t len = strlen(code);
    if (len < 2 || len > 40 || code[0] < 'A' || code[0] > 'Z')
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!((code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= '0' && code[i] <= '9') ||
              code[i] == '-'))
            return 0;
    return 1;
}
