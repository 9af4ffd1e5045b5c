/* The query string of a request into the fields of its request message:
 * percent-decoded names and values, each set as its field's type wants. */
#ifndef GATEWAY_QUERY_H
#define GATEWAY_QUERY_H

#include <stddef.h>

#include "samhand_transcode.h"

/* Sets the fields of `msg` named in `query` (the text after '?', `len`
 * bytes, not NUL-terminated). 0, or -1 with `err` naming the parameter. */
int gateway_query_apply(ProtobufCMessage *msg, const char *query, size_t len,
                        transcode_error_t *err);

#endif
