/* Norwegian labels of the service's codes and Norwegian numbers, for the
 * statistics' CSV, HTML and JSON names; see deviation_labels.h. */
#include "deviation_labels.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *code, *label;
} s_label_t;

static const char *s_find(const s_label_t *table, size_t n, const char *code, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(table[i].code) == len && strncmp(table[i].code, code, len) == 0)
            return table[i].label;
    return NULL;
}

#define FIND(table, code, len) s_find(table, sizeof table / sizeof table[0], code, len)

static const s_label_t s_states[] = {
    {"DRAFT", "Utkast"},
    {"SUBMITTED", "Sendt"},
    {"AWAITING_RESPONSE", "Til behandling"},
    {"INFORMATION_REQUESTED", "Venter på opplysninger"},
    {"ANSWERED", "Besvart"},
    {"DISPUTED", "Omstridt svar"},
    {"ANALYSIS_REQUESTED", "Hendelsesanalyse bedt om"},
    {"CLOSED", "Lukket"},
    {"REJECTED", "Avvist"},
    {"DUPLICATE", "Duplikat"},
    {"IN_REVIEW", "Til godkjenning hos leder"},
    {"(ikke oppgitt)", "Ikke oppgitt"},
};

static const s_label_t s_types[] = {
    {"BREACH_OF_AGREEMENT", "Brudd på samarbeidsavtale"},
    {"BREACH_OF_LAW", "Brudd på lov eller forskrift"},
    {"BREACH_OF_GUIDELINE", "Brudd på retningslinje"},
    {"OTHER", "Annet"},
    {"IMPROVEMENT_PROPOSAL", "Forbedringsforslag"},
    {"(ikke oppgitt)", "Ikke oppgitt"},
};

static const s_label_t s_harms[] = {
    {"NO_HARM", "Ingen skade"},
    {"MINOR", "Mindre alvorlig skade"},
    {"MODERATE", "Moderat skade"},
    {"SERIOUS", "Betydelig skade"},
    {"DEATH", "Død"},
    {"(ikke oppgitt)", "Ikke vurdert"}, /* reports from before it was asked */
};

static const s_label_t s_kinds[] = {
    {"MUNICIPALITY", "Kommune"},     {"HOSPITAL_TRUST", "Helseforetak"},
    {"GP_OFFICE", "Fastlegekontor"}, {"COUNTY_GOVERNOR", "Statsforvalter"},
    {"OTHER", "Annen virksomhet"},   {"UNKNOWN", "Ukjent"},
};

const char *deviation_label_state(const char *state)
{
    const char *label = FIND(s_states, state, strlen(state));
    return label ? label : state;
}

const char *deviation_label_type(const char *type)
{
    const char *label = FIND(s_types, type, strlen(type));
    return label ? label : type;
}

const char *deviation_label_harm(const char *harm)
{
    const char *label = FIND(s_harms, harm, strlen(harm));
    return label ? label : harm;
}

const char *deviation_label_kind(const char *kind, size_t len)
{
    const char *label = FIND(s_kinds, kind, len);
    return label ? label : "Ukjent";
}

void deviation_label_direction(const char *key, char *out, size_t size)
{
    const char *arrow = strstr(key, " → ");
    if (!arrow) {
        snprintf(out, size, "%s", key);
        return;
    }
    const char *to = arrow + strlen(" → ");
    snprintf(out, size, "%s → %s", deviation_label_kind(key, (size_t)(arrow - key)),
             deviation_label_kind(to, strlen(to)));
}

void deviation_label_number(double value, int decimals, char *out, size_t size)
{
    snprintf(out, size, "%.*f", decimals, value);
    char *point = strchr(out, '.');
    if (point)
        *point = ',';
}
