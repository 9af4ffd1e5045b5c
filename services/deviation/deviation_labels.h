/* What people read for the service's codes: Norwegian labels of states,
 * types and kinds of organisation, and numbers with a decimal comma. Pure
 * functions of their input (deviation_labels.c). */
#ifndef DEVIATION_LABELS_H
#define DEVIATION_LABELS_H

#include <stddef.h>

/* "ANSWERED" -> "Besvart"; an unknown code stands for itself. */
const char *deviation_label_state(const char *state);
/* "BREACH_OF_AGREEMENT" -> "Brudd på samarbeidsavtale" */
const char *deviation_label_type(const char *type);
/* "MODERATE" -> "Moderat skade" */
const char *deviation_label_harm(const char *harm);
/* The kind of organisation named by `len` bytes of `kind`: "Kommune". */
const char *deviation_label_kind(const char *kind, size_t len);
/* "MUNICIPALITY → HOSPITAL_TRUST" -> "Kommune → Helseforetak" into `out`. */
void deviation_label_direction(const char *key, char *out, size_t size);
/* `value` with `decimals` places and a decimal comma ("2,5") into `out`. */
void deviation_label_number(double value, int decimals, char *out, size_t size);

#endif
