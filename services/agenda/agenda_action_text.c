/* The texts of actions (tiltak) in Norwegian: a status's name, and the
 * table of open actions that a follow-up item («Oppfølging av tiltak»)
 * puts on an agenda. Data in, text out; see agenda_action_text.h. */
#include "agenda_action_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *agenda_action_status_text(int status)
{
    switch (status) {
    case SAMHAND__V1__ACTION__STATUS__OPEN:
        return "Åpen";
    case SAMHAND__V1__ACTION__STATUS__IN_PROGRESS:
        return "Pågår";
    case SAMHAND__V1__ACTION__STATUS__DONE:
        return "Utført";
    case SAMHAND__V1__ACTION__STATUS__CANCELLED:
        return "Avbrutt";
    default:
        return "";
    }
}

char *agenda_action_table_text(Samhand__V1__Action *const *actions, size_t n)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        return NULL;
    if (n == 0)
        fputs("Ingen åpne tiltak.", out);
    for (size_t i = 0; i < n; i++) {
        const Samhand__V1__Action *a = actions[i];
        fprintf(out, "%sNr. %d: %s", i ? "\n" : "", a->number, a->description);
        if (a->responsible[0])
            fprintf(out, " – Ansvar: %s", a->responsible);
        fprintf(out, " – Status: %s", agenda_action_status_text(a->status));
        if (a->due_date[0] && strlen(a->due_date) == 10)
            fprintf(out, " – Frist: %.2s.%.2s.%.4s%s", a->due_date + 8, a->due_date + 5,
                    a->due_date, a->is_overdue ? " (forfalt)" : "");
    }
    fclose(out);
    return text;
}
