/* Problem details: what went wrong, in which field, for which request. */
#include "gateway_problem.h"

#include <stdbool.h>
#include "gateway_transcode.h"

#include <stdio.h>
#include <string.h>

static const struct {
    bus_code_t code;
    int http_status;
} s_status_table[] = {
    {BUS_OK, 200},
    {BUS_INVALID_ARGUMENT, 400},
    {BUS_NOT_FOUND, 404},
    {BUS_ALREADY_EXISTS, 409},
    {BUS_FAILED_PRECONDITION, 409},
    {BUS_PERMISSION_DENIED, 403},
    {BUS_UNAUTHENTICATED, 401},
    {BUS_UNAVAILABLE, 503},
    {BUS_DEADLINE_EXCEEDED, 504},
    {BUS_INTERNAL, 500},
    {BUS_UNIMPLEMENTED, 501},
    {BUS_UNPROCESSABLE, 422},
    {BUS_PRECONDITION_FAILED, 412},
};

int gateway_problem_http_status(bus_code_t code)
{
    for (size_t i = 0; i < sizeof s_status_table / sizeof s_status_table[0]; i++)
        if (s_status_table[i].code == code)
            return s_status_table[i].http_status;
    return 500;
}

const char *gateway_problem_reason(int http_status)
{
    switch (http_status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 412:
        return "Precondition Failed";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return "Error";
    }
}

/* "items[2].organization_number" -> "items[2].organizationNumber" */
static void s_json_path(const char *path, char *out, size_t size)
{
    char part[128];
    size_t used = 0;
    out[0] = '\0';
    while (*path && used < size) {
        size_t len = strcspn(path, ".[");
        snprintf(part, sizeof part, "%.*s", (int)len, path);
        char name[128];
        transcode_json_name(part, name, sizeof name);
        used += (size_t)snprintf(out + used, size - used, "%s", name);
        path += len;
        size_t sep = strcspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_");
        if (used < size)
            used += (size_t)snprintf(out + used, size - used, "%.*s", (int)sep, path);
        path += sep;
    }
}

json_t *gateway_problem_new(int http_status, const char *detail, const char *field,
                            const char *request_id)
{
    /* Services name fields as the proto does; a detail that opens with the
     * field's proto name is rewritten to the JSON name the client sent. */
    char rewritten[768];
    if (field && *field && detail) {
        size_t len = strlen(field);
        if (strncmp(detail, field, len) == 0 && (detail[len] == ' ' || detail[len] == '\0')) {
            char path[256];
            s_json_path(field, path, sizeof path);
            snprintf(rewritten, sizeof rewritten, "%s%s", path, detail + len);
            detail = rewritten;
        }
    }
    /* about:blank: the status says what kind of problem it is (RFC 9457 4.2.1) */
    const char *type = "about:blank";
    json_t *problem = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title",
                                gateway_problem_reason(http_status), "status", http_status,
                                "detail", detail ? detail : "");
    if (!problem) /* detail was not UTF-8 */
        problem = json_pack("{s:s, s:s, s:i}", "type", type, "title",
                            gateway_problem_reason(http_status), "status", http_status);
    if (request_id)
        json_object_set_new(problem, "requestId", json_string(request_id));
    if (field && *field) {
        char path[256];
        s_json_path(field, path, sizeof path);
        json_t *error = json_pack("{s:s, s:s}", "field", path, "detail", detail ? detail : "");
        if (error)
            json_object_set_new(problem, "errors", json_pack("[o]", error));
    }
    return problem;
}

/* ------------------------------------------------------------ bokmål */

/* The services' messages in bokmål: an English pattern, where '*' stands
 * for a run of text (a field, an id, a number), and its Norwegian form,
 * where $1 .. $3 are those runs in order. A message the table lacks gets
 * a plain Norwegian sentence for its status, never the English. */
static const struct {
    const char *english, *norwegian;
} s_bokmal[] = {
    {"* is required", "$1 må fylles ut"},
    {"* must be a UUID", "$1 må være en UUID"},
    {"* must be text of at most * characters without control characters",
     "$1 må være tekst på høyst $2 tegn, uten kontrolltegn"},
    {"* must be a date written YYYY-MM-DD", "$1 må være en dato skrevet ÅÅÅÅ-MM-DD"},
    {"* has no value *", "$1 har ingen verdi $2"},
    {"* cannot be changed", "$1 kan ikke endres"},
    {"* cannot be unspecified", "$1 må oppgis"},
    {"* must be between 2000 and 2100", "$1 må være mellom år 2000 og 2100"},
    {"* must be after *", "$1 må være etter $2"},
    {"* is listed twice", "$1 står to ganger"},
    {"* must be from * to *", "$1 må være fra $2 til $3"},
    {"nothing to change", "ingenting å endre"},
    {"* holds what looks like a national identity number (fødselsnummer or D-number) at "
     "character *; remove it, a deviation report must not identify the patient",
     "$1 ser ut til å inneholde et fødselsnummer eller D-nummer (ved tegn $2); fjern det: en "
     "avviksmelding skal ikke kunne identifisere pasienten"},
    {"* must be an e-mail address like *", "$1 må være en e-postadresse, som $2"},
    {"a tertial's statistics are published when it has ended (on *); until then only quality "
     "staff see them*",
     "statistikken for et tertial publiseres når det er over ($1); til da ser bare "
     "kvalitetsavdelingen den"},
    {"committee * does not exist", "utvalget $1 finnes ikke"},
    {"meeting * does not exist", "møtet $1 finnes ikke"},
    {"person * does not exist", "personen $1 finnes ikke"},
    {"organization * does not exist", "organisasjonen $1 finnes ikke"},
    {"action * does not exist", "tiltaket $1 finnes ikke"},
    {"case * does not exist", "saken $1 finnes ikke"},
    {"proposal * does not exist", "forslaget $1 finnes ikke"},
    {"emergency * does not exist", "beredskapssaken $1 finnes ikke"},
    {"deviation * does not exist", "avviksmeldingen $1 finnes ikke"},
    {"attachment * does not exist", "vedlegget $1 finnes ikke"},
    {"subscription * does not exist", "abonnementet $1 finnes ikke"},
    {"agenda item * is not on this meeting", "saken $1 står ikke på dette møtets saksliste"},
    {"this needs a credential*", "dette krever innlogging (en API-nøkkel eller et tilgangstoken)"},
    {"the credential is not valid", "innloggingen er ikke gyldig"},
    {"this needs one of the roles: *", "dette krever en av rollene: $1"},
    {"only the committee's secretary and chair, the secretariat of the organisation that runs it*",
     "bare utvalgets sekretær og leder, sekretariatet i virksomheten som driver utvalget, og "
     "administratorer kan gjøre dette"},
    {"only the committee's members, its secretary and chair*",
     "bare utvalgets medlemmer, sekretær og leder, sekretariatet i virksomheten som driver "
     "utvalget, og administratorer kan gjøre dette"},
    {"the minutes are written from the meeting's start (*)",
     "referatet skrives fra møtets start ($1)"},
    {"the minutes are approved once the meeting has ended (*)",
     "referatet godkjennes når møtet er slutt ($1)"},
    {"the minutes are approved and frozen", "referatet er godkjent og kan ikke endres"},
    {"the meeting was cancelled", "møtet er avlyst"},
    {"the notice of the meeting has not gone out", "innkallingen til møtet er ikke sendt ut"},
    {"a new due date or owner needs a note saying why",
     "ny frist eller nytt ansvar må begrunnes i et notat"},
    {"too many requests with this credential; try again in * s",
     "for mange forespørsler med denne innloggingen; prøv igjen om $1 s"},
};

/* Whether `text` matches `pattern` from here; the runs its '*'s took go
 * into `runs` (start, length). */
static bool s_match(const char *pattern, const char *text, const char *runs[3][2], int n)
{
    if (!*pattern)
        return !*text;
    if (*pattern == '*') {
        for (const char *end = text;; end++) {
            if (n < 3) {
                runs[n][0] = text;
                runs[n][1] = end;
            }
            if (end > text && s_match(pattern + 1, end, runs, n + 1))
                return true;
            if (!*end)
                return false;
        }
    }
    return *pattern == *text && s_match(pattern + 1, text + 1, runs, n);
}

/* The bokmål of a message, into `out`; false when the table lacks it. */
static bool s_in_bokmal(const char *english, char *out, size_t size)
{
    for (size_t i = 0; i < sizeof s_bokmal / sizeof s_bokmal[0]; i++) {
        const char *runs[3][2] = {{NULL, NULL}};
        if (!s_match(s_bokmal[i].english, english, runs, 0))
            continue;
        size_t used = 0;
        for (const char *p = s_bokmal[i].norwegian; *p && used + 1 < size; p++) {
            if (p[0] == '$' && p[1] >= '1' && p[1] <= '3') {
                int k = p[1] - '1';
                size_t len = runs[k][0] ? (size_t)(runs[k][1] - runs[k][0]) : 0;
                if (len > size - used - 1)
                    len = size - used - 1;
                memcpy(out + used, runs[k][0], len);
                used += len;
                p++;
            } else {
                out[used++] = *p;
            }
        }
        out[used] = '\0';
        return true;
    }
    return false;
}

static const char *s_title_bokmal(int status)
{
    switch (status) {
    case 400:
        return "Ugyldig forespørsel";
    case 401:
        return "Ikke innlogget";
    case 403:
        return "Ingen tilgang";
    case 404:
        return "Finnes ikke";
    case 409:
        return "Konflikt";
    case 412:
        return "Endret siden du leste det";
    case 413:
        return "For stor";
    case 422:
        return "Kan ikke behandles";
    case 429:
        return "For mange forespørsler";
    case 503:
        return "Ikke tilgjengelig nå";
    case 504:
        return "Fikk ikke svar i tide";
    default:
        return status >= 500 ? "Intern feil" : "Forespørselen ble avvist";
    }
}

/* A plain sentence for a status whose message the table lacks. */
static const char *s_detail_bokmal(int status)
{
    switch (status) {
    case 400:
        return "noe i forespørselen er ikke gyldig";
    case 403:
        return "du har ikke tilgang til dette";
    case 404:
        return "det du spør etter, finnes ikke";
    case 409:
        return "dette kan ikke gjøres slik saken står nå";
    default:
        return status >= 500 ? "noe gikk galt hos oss; prøv igjen om litt"
                             : "forespørselen ble avvist";
    }
}

void gateway_problem_in_bokmal(json_t *problem)
{
    int status = (int)json_integer_value(json_object_get(problem, "status"));
    json_object_set_new(problem, "title", json_string(s_title_bokmal(status)));
    char text[1024];
    const char *detail = json_string_value(json_object_get(problem, "detail"));
    if (detail && detail[0]) {
        if (!s_in_bokmal(detail, text, sizeof text))
            snprintf(text, sizeof text, "%s", s_detail_bokmal(status));
        json_object_set_new(problem, "detail", json_string(text));
    }
    size_t i;
    json_t *error;
    json_array_foreach(json_object_get(problem, "errors"), i, error)
    {
        const char *what = json_string_value(json_object_get(error, "detail"));
        if (!what || !what[0])
            continue;
        if (!s_in_bokmal(what, text, sizeof text))
            snprintf(text, sizeof text, "%s", s_detail_bokmal(status));
        json_object_set_new(error, "detail", json_string(text));
    }
}
