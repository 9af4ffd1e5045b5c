/* Meetings from draft to notice, as the ASU notice of St. Olavs hospital
 * and the municipalities for 08.02.2023 (seed 003) shows them: time slots
 * from the start and the minutes, case numbers 1/23..9/23 in agenda order
 * with breaks unnumbered, the notice document, supplementary notices,
 * withdrawn cases keeping their numbers, cancellation and what the public
 * may see. */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_stack_t s_stack;
static const char *s_db;
static char s_asu[40];

static long s_outbox(const char *type)
{
    PGconn *conn = PQconnectdb(s_db);
    const char *params[] = {type};
    PGresult *res = PQexecParams(conn, "SELECT count(*) FROM agenda.outbox WHERE type = $1", 1,
                                 NULL, params, NULL, NULL, 0);
    long n = atol(PQgetvalue(res, 0, 0));
    PQclear(res);
    PQfinish(conn);
    return n;
}

/* Creates a meeting and returns its id in `id`. */
static void s_meeting(const char *start, const char *end, const char *place, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"%s\",\"endTime\":\"%s\",\"place\":\"%s\"}",
             s_asu, start, end, place);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/meetings", body);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "state"), "DRAFT");
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

static void s_item(const char *meeting, const char *kind, const char *title,
                   const char *presenters_json, int minutes)
{
    char path[128], body[1024];
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    snprintf(body, sizeof body,
             "{\"kind\":\"%s\",\"title\":\"%s\",\"presenters\":%s,\"durationMin\":%d}", kind, title,
             presenters_json, minutes);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

static json_t *s_items(harness_http_response_t *r)
{
    json_t *meeting = json_object_get(r->json, "meeting");
    return json_object_get(meeting ? meeting : r->json, "items");
}

static const char *s_item_text(json_t *items, size_t i, const char *key)
{
    const char *text = json_string_value(json_object_get(json_array_get(items, i), key));
    return text ? text : "";
}

static int s_setup(void **state)
{
    s_db = harness_database_url();
    harness_stack_start(&s_stack, s_db);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", "/v1/committees",
                           "{\"name\":\"Administrativt samarbeidsutvalg\","
                           "\"shortName\":\"ASU\",\"kind\":\"ADMINISTRATIVE\","
                           "\"noticePeriodDays\":10,\"caseNumberFormat\":\"{n}/{yy}\"}");
    harness_expect_status(r, 201);
    snprintf(s_asu, sizeof s_asu, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static char s_feb[40]; /* the meeting of 08.02.2023 */

static void test_notice_of_8_february_2023(void **state)
{
    s_meeting("2023-02-08T13:00:00+01:00", "2023-02-08T16:00:00+01:00", "1930, 30M11", s_feb);
    s_item(s_feb, "NOTICE_APPROVAL", "Godkjenning av innkalling og saksliste.",
           "[\"Ingjerd Astad\"]", 10);
    s_item(s_feb, "CASE", "Samarbeidsavtale om tjeneste i allmennpraksis for LIS i sykehustjeneste",
           "[\"Brita Pukstad\",\"Lene Stene Salberg\"]", 10);
    s_item(s_feb, "CASE", "Evaluering av pandemihåndteringen", "[\"Erlend Vandvik\"]", 30);
    s_item(s_feb, "ORIENTATION", "«Tirsdagsmøte»", "[\"Lene Stene Salberg\"]", 20);
    s_item(s_feb, "BREAK", "Pause.", "[]", 10);
    s_item(s_feb, "CASE", "Arbeidsseminar ASU – «det indre liv»", "[\"Runar Asp\"]", 20);
    s_item(s_feb, "CASE", "Status Forbedringsgruppe og avviksrapportering – 3. tertial 2022",
           "[\"Ingrid Kristiansen\",\"Trude Flatås Sæther\"]", 30);
    s_item(s_feb, "BREAK", "Pause.", "[]", 10);
    s_item(s_feb, "ORIENTATION", "Helseplattformen.", "[\"Marius Jermstad, Holtålen\"]", 30);
    s_item(s_feb, "ORIENTATION", "Orientering om ekstraordinært ASU-møte og bakgrunnen for dette",
           "[\"Ingjerd Astad\"]", 5);
    s_item(s_feb, "ANY_OTHER_BUSINESS", "Eventuelt", "[\"Ingjerd Astad\"]", 5);

    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s", s_feb);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    json_t *items = s_items(r);
    assert_int_equal(json_array_size(items), 11);
    assert_int_equal(json_integer_value(json_object_get(r->json, "agendaMinutes")), 180);
    /* 13.20–13.50 for the third item, 15.55–16.00 for the last (UTC in JSON) */
    assert_string_equal(s_item_text(items, 2, "startTime"), "2023-02-08T12:20:00Z");
    assert_string_equal(s_item_text(items, 2, "endTime"), "2023-02-08T12:50:00Z");
    assert_string_equal(s_item_text(items, 10, "startTime"), "2023-02-08T14:55:00Z");
    assert_string_equal(s_item_text(items, 10, "endTime"), "2023-02-08T15:00:00Z");
    assert_string_equal(s_item_text(items, 0, "caseNumber"), ""); /* not before the notice */
    harness_http_response_free(&r);

    /* a draft is not public */
    char url[256];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_assert_problem(r, 404, NULL);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s/publish", s_feb);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    items = s_items(r);
    static const char *numbers[] = {"1/23", "2/23", "3/23", "4/23", "",    "5/23",
                                    "6/23", "",     "7/23", "8/23", "9/23"};
    for (size_t i = 0; i < 11; i++)
        assert_string_equal(s_item_text(items, i, "caseNumber"), numbers[i]);
    json_t *meeting = json_object_get(r->json, "meeting");
    assert_string_equal(json_string_value(json_object_get(meeting, "state")), "NOTICE_PUBLISHED");
    assert_int_equal(json_integer_value(json_object_get(meeting, "noticeVersion")), 1);
    /* 2023 is long past: the notice is later than the 10 days */
    json_t *warnings = json_object_get(r->json, "warnings");
    assert_int_equal(json_array_size(warnings), 1);
    assert_non_null(
        strstr(json_string_value(json_array_get(warnings, 0)), "notice period is 10 days"));
    harness_http_response_free(&r);
    assert_int_equal(s_outbox("no.samhand.meeting.notice_published"), 1);

    /* the notice, readable by anyone now */
    snprintf(url, sizeof url, "%s/v1/meetings/%s/notice.html", s_stack.base_url, s_feb);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(r->content_type, "text/html; charset=utf-8");
    assert_non_null(strstr(r->body, "<h1>MØTEINNKALLING</h1>"));
    assert_non_null(strstr(r->body, "Utvalg: Administrativt samarbeidsutvalg"));
    assert_non_null(strstr(r->body, "Møtested: 1930, 30M11"));
    assert_non_null(strstr(r->body, "Møtedato: 08.02.2023 kl. 13.00–16.00"));
    assert_non_null(
        strstr(r->body, "<th>Kl.</th><th>Saksnr.</th><th>Saker</th><th>Ansvarlig innleder</th>"));
    assert_non_null(strstr(
        r->body, "<tr><td>13.20–13.50</td><td>3/23</td><td>Evaluering av "
                 "pandemihåndteringen</td><td>Erlend Vandvik</td><td class=\"tid\">30</td></tr>"));
    assert_non_null(strstr(
        r->body,
        "<tr><td>14.10–14.20</td><td></td><td>Pause.</td><td></td><td class=\"tid\">10</td></tr>"));
    assert_non_null(strstr(r->body, "<td>Brita Pukstad<br>Lene Stene Salberg</td>"));
    assert_non_null(strstr(r->body, "<tr><td>15.55–16.00</td><td>9/23</td><td>Eventuelt</td>"));
    harness_http_response_free(&r);

    snprintf(url, sizeof url, "%s/v1/meetings/%s/calendar.ics", s_stack.base_url, s_feb);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(r->content_type, "text/calendar; charset=utf-8");
    assert_non_null(strstr(r->body, "BEGIN:VEVENT\r\n"));
    assert_non_null(strstr(r->body, "DTSTART:20230208T120000Z\r\n"));
    assert_non_null(strstr(r->body, "DTEND:20230208T150000Z\r\n"));
    assert_non_null(strstr(r->body, "SUMMARY:ASU\r\n"));
    assert_non_null(strstr(r->body, "LOCATION:1930\\, 30M11\r\n"));
    assert_non_null(strstr(r->body, "STATUS:CONFIRMED\r\n"));
    harness_http_response_free(&r);
}

static void test_supplementary_notice_keeps_numbers(void **state)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s", s_feb);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    json_t *items = s_items(r);
    char seminar[40];
    snprintf(seminar, sizeof seminar, "%s", s_item_text(items, 5, "id")); /* 5/23 */
    harness_http_response_free(&r);

    /* 5/23 is withdrawn after the notice: it keeps its number */
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", s_feb, seminar);
    r = harness_stack_send(&s_stack, "DELETE", path, NULL);
    harness_expect_status(r, 200);
    items = s_items(r);
    assert_int_equal(json_array_size(items), 11);
    assert_true(json_is_true(json_object_get(json_array_get(items, 5), "isWithdrawn")));
    assert_string_equal(s_item_text(items, 5, "caseNumber"), "5/23");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"title\":\"Igjen\"}");
    harness_assert_problem(r, 409, "itemId");
    harness_http_response_free(&r);

    /* a new case before Eventuelt, and a shorter one */
    snprintf(path, sizeof path, "/v1/meetings/%s/items", s_feb);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"kind\":\"CASE\",\"title\":\"Avtale om legevakt\",\"durationMin\":5,"
                           "\"position\":11}");
    harness_expect_status(r, 200);
    items = s_items(r);
    assert_string_equal(s_item_text(items, 10, "title"), "Avtale om legevakt");
    assert_string_equal(s_item_text(items, 11, "title"), "Eventuelt");
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s/publish", s_feb);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    items = s_items(r);
    assert_string_equal(s_item_text(items, 10, "caseNumber"), "10/23"); /* the next number */
    assert_string_equal(s_item_text(items, 11, "caseNumber"), "9/23");  /* unchanged */
    json_t *changes = json_object_get(r->json, "changes");
    assert_int_equal(json_array_size(changes), 2);
    assert_string_equal(json_string_value(json_array_get(changes, 0)),
                        "Trukket: 5/23 Arbeidsseminar ASU – «det indre liv»");
    assert_string_equal(json_string_value(json_array_get(changes, 1)),
                        "Ny sak: Avtale om legevakt");
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(r->json, "meeting"), "noticeVersion")),
        2);
    assert_int_equal(json_array_size(json_object_get(r->json, "warnings")), 0);
    harness_http_response_free(&r);
    assert_int_equal(s_outbox("no.samhand.meeting.notice_supplemented"), 1);

    /* nothing new: no supplementary notice */
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_assert_problem(r, 409, NULL);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s/notice.html", s_feb);
    r = harness_stack_get(&s_stack, path);
    assert_non_null(strstr(r->body, "<h1>TILLEGGSINNKALLING</h1>"));
    assert_non_null(strstr(r->body, "<li>Ny sak: Avtale om legevakt</li>"));
    assert_non_null(strstr(r->body, "Arbeidsseminar ASU – «det indre liv» (trukket)"));
    harness_http_response_free(&r);
}

static void test_case_document_with_attachment(void **state)
{
    char path[256], item[40], url[300];
    snprintf(path, sizeof path, "/v1/meetings/%s", s_feb);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    snprintf(item, sizeof item, "%s", s_item_text(s_items(r), 1, "id")); /* 2/23 */
    char brk[40];
    snprintf(brk, sizeof brk, "%s", s_item_text(s_items(r), 4, "id")); /* Pause. */
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", s_feb, item);
    r = harness_stack_send(
        &s_stack, "PUT", path,
        "{\"responsible\":[\"Ingjerd Astad\",\"Tom Christian Martinsen\"],"
        "\"caseOfficers\":[\"Brita Pukstad\",\"Lene Stene Salberg\",\"Runar Asp\"],"
        "\"proposedDecisions\":[\"ASU anbefaler kommunene og sykehuset å inngå "
        "fremlagte samarbeidsavtale om tjeneste i allmennpraksis for LIS i "
        "sykehustjeneste.\"],\"background\":\"Oppnådde læringsmål er grunnlaget for "
        "spesialistgodkjenning av leger.\",\"assessment\":\"Avtaleutkastet vurderes "
        "som hensiktsmessig.\"}");
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "proposedDecisions")), 1);
    harness_http_response_free(&r);

    /* "%PDF-1.4 vedlegg" in base64 */
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/attachments", s_feb, item);
    r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"filename\":\"Forslag til samarbeidsavtale.pdf\","
        "\"contentType\":\"application/pdf\",\"content\":\"JVBERi0xLjQgdmVkbGVnZw==\"}");
    harness_expect_status(r, 200);
    json_t *attachment = json_array_get(json_object_get(r->json, "attachments"), 0);
    assert_string_equal(json_string_value(json_object_get(attachment, "sizeBytes")), "16");
    /* sha256("%PDF-1.4 vedlegg") */
    assert_string_equal(json_string_value(json_object_get(attachment, "sha256")),
                        "b7df841463b5c9d736dab93f4389c7c0a8fef9f1ae75e8ff9d8c18f6aea6f01c");
    char attachment_id[40];
    snprintf(attachment_id, sizeof attachment_id, "%s",
             json_string_value(json_object_get(attachment, "id")));
    harness_http_response_free(&r);

    /* added after the notice: the secretariat's until a notice carries it */
    snprintf(url, sizeof url, "%s/v1/attachments/%s", s_stack.base_url, attachment_id);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    char attachment_path[80];
    snprintf(attachment_path, sizeof attachment_path, "/v1/attachments/%s", attachment_id);
    r = harness_stack_get(&s_stack, attachment_path);
    harness_expect_status(r, 200);
    assert_string_equal(r->body, "%PDF-1.4 vedlegg");
    harness_http_response_free(&r);

    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"filename\":\"x.pdf\",\"contentType\":\"pdf\",\"content\":\"eA==\"}");
    harness_assert_problem(r, 400, "contentType");
    harness_http_response_free(&r);
    r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"filename\":\"../x.pdf\",\"contentType\":\"application/pdf\",\"content\":\"eA==\"}");
    harness_assert_problem(r, 400, "filename");
    harness_http_response_free(&r);
    /* over the 10 MiB an attachment may have, under the gateway's upload limit */
    size_t raw = 10 * 1024 * 1024 + 3, encoded = (raw + 2) / 3 * 4;
    char *big = malloc(encoded + 128);
    int n = sprintf(
        big,
        "{\"filename\":\"stor.bin\",\"contentType\":\"application/octet-stream\",\"content\":\"");
    memset(big + n, 'A', encoded);
    strcpy(big + n + encoded, "\"}");
    r = harness_stack_send(&s_stack, "POST", path, big);
    harness_assert_problem(r, 400, "content");
    harness_http_response_free(&r);
    free(big);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", s_feb, brk);
    r = harness_stack_send(&s_stack, "PUT", path, "{\"background\":\"x\"}");
    harness_assert_problem(r, 400, "itemId");
    harness_http_response_free(&r);

    /* the notice carries the case document once it goes out: it was
     * written after the notice, so in a supplementary one */
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", s_feb);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/meetings/%s/notice.html", s_stack.base_url, s_feb);
    r = harness_http_request("GET", url, NULL, NULL);
    assert_non_null(strstr(r->body, "<h2>SAKSFREMLEGG</h2>\n<p><strong>Sak: 2/23</strong>"));
    assert_non_null(strstr(r->body, "Saksansvarlig: Ingjerd Astad/Tom Christian Martinsen"));
    assert_non_null(strstr(r->body, "Saksbehandler: Brita Pukstad/Lene Stene Salberg/Runar Asp"));
    assert_non_null(strstr(r->body, "<h3>Forslag til vedtak</h3>\n<ol>\n<li>ASU anbefaler"));
    assert_non_null(strstr(r->body, "Forslag til samarbeidsavtale.pdf</a>"));
    assert_non_null(strstr(r->body, "<h3>Vurdering og anbefaling</h3>"));
    harness_http_response_free(&r);
    /* and with it the attachment */
    snprintf(url, sizeof url, "%s/v1/attachments/%s", s_stack.base_url, attachment_id);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(r->content_type, "application/pdf");
    assert_string_equal(r->body, "%PDF-1.4 vedlegg");
    harness_http_response_free(&r);
}

static void test_numbering_follows_the_year(void **state)
{
    char march[40], next_year[40], path[160];
    s_meeting("2023-03-08T13:00:00+01:00", "2023-03-08T15:00:00+01:00", "Teams", march);
    s_item(march, "NOTICE_APPROVAL", "Godkjenning av innkalling og saksliste.", "[]", 5);
    s_item(march, "MINUTES_APPROVAL", "Godkjenning av referat", "[]", 5);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", march);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    json_t *items = s_items(r);
    assert_string_equal(s_item_text(items, 0, "caseNumber"), "11/23");
    assert_string_equal(s_item_text(items, 1, "caseNumber"), "12/23");
    harness_http_response_free(&r);

    s_meeting("2024-01-10T09:00:00+01:00", "2024-01-10T10:00:00+01:00", "Teams", next_year);
    s_item(next_year, "CASE", "Handlingsplan 2024", "[]", 30);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", next_year);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(s_item_text(s_items(r), 0, "caseNumber"), "1/24");
    harness_http_response_free(&r);
}

static void test_publication_refusals(void **state)
{
    char id[40], path[160];
    s_meeting("2030-05-06T13:00:00+02:00", "2030-05-06T14:00:00+02:00", "", id);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", id);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_assert_problem(r, 409, "items"); /* empty */
    harness_http_response_free(&r);

    s_item(id, "CASE", "Lang sak", "[]", 45);
    s_item(id, "CASE", "Enda en sak", "[]", 25);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_assert_problem(r, 409, "place");
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s", id);
    r = harness_stack_send(&s_stack, "PATCH", path,
                           "{\"onlineUrl\":\"https://teams.example/mote\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", id);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_assert_problem(r, 409, "items");
    assert_non_null(strstr(harness_json_text(r, "detail"),
                           "70 minutes, 10 more than the meeting's 60 (13.00–14.00)"));
    harness_http_response_free(&r);

    /* a notice well ahead of the notice period gives no warning */
    snprintf(path, sizeof path, "/v1/meetings/%s", id);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"endTime\":\"2030-05-06T14:10:00+02:00\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", id);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "warnings")), 0);
    harness_http_response_free(&r);

    /* bad input, named */
    char body[256];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2030-05-06T14:00:00Z\","
             "\"endTime\":\"2030-05-06T13:00:00Z\"}",
             s_asu);
    r = harness_stack_send(&s_stack, "POST", "/v1/meetings", body);
    harness_assert_problem(r, 400, "endTime");
    harness_http_response_free(&r);
    snprintf(body, sizeof body, "{\"committeeId\":\"%s\",\"startTime\":\"tomorrow\"}", s_asu);
    r = harness_stack_send(&s_stack, "POST", "/v1/meetings", body);
    harness_assert_problem(r, 400, "startTime");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", id);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"kind\":\"CASE\",\"title\":\"Personalsak\",\"durationMin\":5,"
                           "\"isExempt\":true,\"publicTitle\":\"Sak om personal\"}");
    harness_assert_problem(r, 400, "exemptionBasis");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"kind\":\"CASE\",\"title\":\"X\",\"durationMin\":5,\"position\":99}");
    harness_assert_problem(r, 400, "position");
    harness_http_response_free(&r);
}

static void test_exempt_items_and_cancellation(void **state)
{
    char id[40], path[160], url[256];
    s_meeting("2030-06-03T09:00:00+02:00", "2030-06-03T10:00:00+02:00", "Styrerommet", id);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", id);
    harness_http_response_t *r = harness_stack_send(
        &s_stack, "POST", path,
        "{\"kind\":\"CASE\",\"title\":\"Klage på navngitt lege\","
        "\"durationMin\":15,\"isExempt\":true,\"publicTitle\":\"Sak om personal\","
        "\"exemptionBasis\":\"offl. § 13\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", id);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    /* members (here: the credential) see the title, the public does not */
    snprintf(path, sizeof path, "/v1/meetings/%s", id);
    r = harness_stack_get(&s_stack, path);
    assert_string_equal(s_item_text(s_items(r), 0, "title"), "Klage på navngitt lege");
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/meetings/%s/notice.html", s_stack.base_url, id);
    r = harness_http_request("GET", url, NULL, NULL);
    assert_null(strstr(r->body, "navngitt"));
    assert_non_null(strstr(r->body, "Sak om personal (unntatt offentlighet, offl. § 13)"));
    harness_http_response_free(&r);

    /* cancelling a noticed meeting needs a reason */
    snprintf(path, sizeof path, "/v1/meetings/%s/cancel", id);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_assert_problem(r, 400, "reason");
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", path, "{\"reason\":\"Leder er syk.\"}");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "CANCELLED");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", id);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"kind\":\"CASE\",\"title\":\"X\",\"durationMin\":5}");
    harness_assert_problem(r, 409, "state");
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/meetings/%s/calendar.ics", s_stack.base_url, id);
    r = harness_http_request("GET", url, NULL, NULL);
    assert_non_null(strstr(r->body, "STATUS:CANCELLED\r\n"));
    assert_non_null(strstr(r->body, "METHOD:CANCEL\r\n"));
    harness_http_response_free(&r);
    assert_int_equal(s_outbox("no.samhand.meeting.cancelled"), 1);
}

static void test_listing(void **state)
{
    char path[200], url[256];
    snprintf(path, sizeof path, "/v1/meetings?committeeId=%s&from=2023-01-01&to=2023-12-31", s_asu);
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 2);
    harness_http_response_free(&r);

    /* a draft is listed only for those with a credential */
    char draft[40];
    s_meeting("2031-01-15T10:00:00+01:00", "2031-01-15T11:00:00+01:00", "Teams", draft);
    r = harness_stack_get(&s_stack, "/v1/meetings?state=DRAFT");
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    harness_http_response_free(&r);
    snprintf(url, sizeof url, "%s/v1/meetings?state=DRAFT", s_stack.base_url);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 0);
    harness_http_response_free(&r);
    /* the committee's feed: every noticed meeting, no drafts */
    snprintf(url, sizeof url, "%s/v1/committees/%s/calendar.ics", s_stack.base_url, s_asu);
    r = harness_http_request("GET", url, NULL, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(r->content_type, "text/calendar; charset=utf-8");
    assert_non_null(strstr(r->body, "X-WR-CALNAME:Administrativt samarbeidsutvalg\r\n"));
    int events = 0;
    for (const char *p = r->body; (p = strstr(p, "BEGIN:VEVENT")); p++)
        events++;
    assert_int_equal(events, 5); /* Feb, Mar, 2024, 2030 May, 2030 June (cancelled) */
    assert_null(strstr(r->body, "20310115T"));
    harness_http_response_free(&r);
    r = harness_stack_get(&s_stack, "/v1/meetings?from=08.02.2023");
    harness_assert_problem(r, 400, "from");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notice_of_8_february_2023),
        cmocka_unit_test(test_supplementary_notice_keeps_numbers),
        cmocka_unit_test(test_case_document_with_attachment),
        cmocka_unit_test(test_numbering_follows_the_year),
        cmocka_unit_test(test_publication_refusals),
        cmocka_unit_test(test_exempt_items_and_cancellation),
        cmocka_unit_test(test_listing),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
