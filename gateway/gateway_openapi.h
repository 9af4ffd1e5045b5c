/* The OpenAPI 3.1 document of the API, rendered from the route table. */
#ifndef GATEWAY_OPENAPI_H
#define GATEWAY_OPENAPI_H

/* The OpenAPI 3.1 document of every route of the table; caller frees. */
char *gateway_openapi_render(void);

#endif
