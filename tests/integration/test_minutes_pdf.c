/* The minutes as PDF, checked with the tools a reader's machine has
 * (poppler-utils, qpdf): approved minutes of a council meeting with a chair,
 * those present, a deputy, an absent member, discussion points, outcomes
 * and decisions print in the order and words of minutes.html; fonts are
 * embedded, the file is sound, unencrypted and titled; the public reads an
 * exempt item neither by its title nor by its decision; and a meeting not
 * held has no minutes, in PDF as in HTML. */
#include "harness_pdf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static harness_stack_t s_stack;
static char s_council[40], s_chair[40], s_present[40], s_deputy[40], s_absent[40];

static void s_person(const char *org, const char *name, char id[40])
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"organizationId\":\"%s\"}", name, org);
    harness_stack_create(&s_stack, "/v1/persons", body, id);
}

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
    char org[40];
    harness_stack_create(
        &s_stack, "/v1/organizations",
        "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":\"983974880\","
        "\"kind\":\"HOSPITAL_TRUST\"}",
        org);
    s_person(org, "Elisabeth Romuld", s_chair);
    s_person(org, "Anne Ulstad", s_present);
    s_person(org, "Liv Hege Valla", s_deputy);
    s_person(org, "Jenny Dolmen", s_absent);
    harness_stack_create(
        &s_stack, "/v1/committees",
        "{\"name\":\"Fagråd for legesamarbeid mellom kommunene og Helse Nord-Trøndelag\","
        "\"shortName\":\"Fagråd lege\",\"kind\":\"EXPERT_COUNCIL\"}",
        s_council);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

static void s_meeting(const char *start, const char *end, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"%s\",\"endTime\":\"%s\",\"place\":\"Teams\","
             "\"chairPersonId\":\"%s\"}",
             s_council, start, end, s_chair);
    harness_stack_create(&s_stack, "/v1/meetings", body, id);
}

static void s_send(const char *method, const char *path, const char *body)
{
    harness_http_response_t *r = harness_stack_send(&s_stack, method, path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
}

static void s_outcome(const char *meeting, const char *item, const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, item);
    s_send("PUT", path, body);
}

/* GET minutes.pdf of `meeting`: by anyone, or by the administrator (who
 * runs every committee). */
static harness_http_response_t *s_get_pdf(const char *meeting, bool is_public)
{
    char path[200], url[400];
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes.pdf", meeting);
    if (!is_public)
        return harness_stack_get(&s_stack, path);
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    return harness_http_request("GET", url, NULL, NULL);
}

static char s_feb[40];

static void test_minutes_pdf_prints_the_approved_minutes_in_order(void **state)
{
    s_meeting("2025-02-27T14:00:00+01:00", "2025-02-27T15:30:00+01:00", s_feb);
    char welcome[40], routine[40], lis[40], exempt[40], path[200], body[1024];
    harness_stack_add_item(
        &s_stack, s_feb, "{\"kind\":\"NOTICE_APPROVAL\",\"title\":\"Velkommen\",\"durationMin\":5}",
        welcome);
    harness_stack_add_item(
        &s_stack, s_feb,
        "{\"kind\":\"CASE\",\"title\":\"Revidert rutine for legesamarbeid\",\"durationMin\":20}",
        routine);
    harness_stack_add_item(
        &s_stack, s_feb,
        "{\"kind\":\"CASE\",\"title\":\"Revidert særavtale for LIS 1 og ALIS\",\"durationMin\":30}",
        lis);
    harness_stack_add_item(
        &s_stack, s_feb,
        "{\"kind\":\"CASE\",\"title\":\"Klage på navngitt lege\",\"durationMin\":10,"
        "\"isExempt\":true,\"publicTitle\":\"Sak om klage\","
        "\"exemptionBasis\":\"offl. § 13\"}",
        exempt);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", s_feb);
    s_send("POST", path, NULL);

    snprintf(path, sizeof path, "/v1/meetings/%s/attendance", s_feb);
    snprintf(body, sizeof body,
             "{\"entries\":[{\"personId\":\"%s\",\"status\":\"PRESENT\"},"
             "{\"personId\":\"%s\",\"status\":\"PRESENT\"},"
             "{\"personId\":\"%s\",\"status\":\"DEPUTY\",\"deputyForPersonId\":\"%s\"},"
             "{\"personId\":\"%s\",\"status\":\"ABSENT_WITH_NOTICE\"}]}",
             s_chair, s_present, s_deputy, s_absent, s_absent);
    s_send("PUT", path, body);
    s_outcome(s_feb, welcome, "{\"outcome\":\"ADOPTED_AS_PROPOSED\"}");
    s_outcome(s_feb, routine,
              "{\"outcome\":\"POSTPONED\",\"decision\":\"Utsettelsen til neste møte "
              "godkjennes.\"}");
    s_outcome(s_feb, lis,
              "{\"outcome\":\"ADOPTED_AS_AMENDED\",\"decision\":\"Fagrådet ber om at "
              "kommunene får delta i tilsettingsutvalget.\",\"discussionPoints\":["
              "\"Kvalifikasjonsprinsippet gjelder.\",\"Færre kommuneoverleger å velge inn til "
              "dette arbeidet.\"]}");
    s_outcome(s_feb, exempt,
              "{\"outcome\":\"ADOPTED_AS_AMENDED\",\"decision\":\"Klagen tas til følge.\","
              "\"discussionPoints\":[\"Pasienten klager på behandlingen.\"]}");
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", s_feb);
    s_send("POST", path, NULL);

    harness_http_response_t *pdf = s_get_pdf(s_feb, false);
    harness_expect_status(pdf, 200);
    assert_string_equal(pdf->content_type, "application/pdf");
    char disposition[200];
    assert_non_null(
        strstr(harness_http_header(pdf, "Content-Disposition", disposition, sizeof disposition),
               "referat-2025-02-27.pdf"));
    assert_memory_equal(pdf->body, "%PDF-", 5);

    char *text = harness_pdf_text(pdf);
    static const char *const minutes[] = {
        "Referat fra Fagråd for legesamarbeid mellom kommunene og Helse Nord-Trøndelag "
        "27.02.2025",
        "Godkjent ",
        "Sted: Teams",
        "Tid: 27.02.2025 kl. 14.00–15.30",
        "Møteleder: Elisabeth Romuld",
        "Til stede: Anne Ulstad, Elisabeth Romuld", /* by name, as in HTML */
        "Vara: Liv Hege Valla (for Jenny Dolmen)",
        "Forfall: Jenny Dolmen",
        "1/25 Velkommen",
        "Vedtak: Innkalling og saksliste godkjennes.",
        "2/25 Revidert rutine for legesamarbeid",
        "Vedtak: Utsettelsen til neste møte godkjennes.",
        "3/25 Revidert særavtale for LIS 1 og ALIS",
        "Momenter fra diskusjonen:",
        "• Kvalifikasjonsprinsippet gjelder.",
        "• Færre kommuneoverleger å velge inn til dette arbeidet.",
        "Vedtak: Fagrådet ber om at kommunene får delta i tilsettingsutvalget.",
        "4/25 Klage på navngitt lege",
        "• Pasienten klager på behandlingen.",
        "Vedtak: Klagen tas til følge.",
    };
    harness_pdf_in_order(text, minutes, sizeof minutes / sizeof minutes[0]);
    assert_null(strstr(text, "Utkast"));
    free(text);

    harness_pdf_fonts_embedded(pdf, 2); /* regular and bold */
    harness_pdf_sound(pdf);

    int status;
    char *info = harness_http_body_through(pdf, "pdfinfo %s 2>&1", &status);
    assert_int_equal(status, 0);
    /* its document information, and the XMP that claims PDF/A-2b */
    static const char *const fields[][2] = {
        {"Title", "Referat – Fagråd lege 27.02.2025"},
        {"Subject", "Møtereferat"},
        {"Author", "Fagråd for legesamarbeid mellom kommunene og Helse Nord-Trøndelag"},
        {"Creator", "samhand"},
        {"Encrypted", "no"},
        {"Metadata Stream", "yes"},
        {"Pages", "1"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char key[40];
        snprintf(key, sizeof key, "%s:", fields[i][0]);
        const char *at = info; /* the line that starts with the key */
        while (at && strncmp(at, key, strlen(key)) != 0)
            at = strchr(at, '\n') ? strchr(at, '\n') + 1 : NULL;
        if (!at)
            fail_msg("pdfinfo has no %s: %s", fields[i][0], info);
        at += strlen(key) + strspn(at + strlen(key), " ");
        size_t n = strlen(fields[i][1]);
        if (strncmp(at, fields[i][1], n) != 0 || at[n] != '\n')
            fail_msg("pdfinfo's %s is not «%s»: %s", fields[i][0], fields[i][1], info);
    }
    free(info);

    /* archived as the law asks: PDF/A-2b (arkivlova, Riksarkivet's formats) */
    harness_pdf_archival(pdf, "Referat – Fagråd lege 27.02.2025");
    harness_http_response_free(&pdf);
}

static void test_minutes_pdf_hides_an_exempt_item_from_the_public(void **state)
{
    harness_http_response_t *pdf = s_get_pdf(s_feb, true);
    harness_expect_status(pdf, 200);
    char *text = harness_pdf_text(pdf);
    static const char *const shown[] = {"3/25 Revidert særavtale for LIS 1 og ALIS",
                                        "Vedtak: Fagrådet ber om at",
                                        "4/25 Sak om klage (unntatt offentlighet, offl. § 13)"};
    harness_pdf_in_order(text, shown, sizeof shown / sizeof shown[0]);
    static const char *const hidden[] = {"Klage på navngitt lege", "Klagen tas til følge",
                                         "Pasienten"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (strstr(text, hidden[i]))
            fail_msg("the public's minutes PDF shows «%s»", hidden[i]);
    free(text);
    harness_http_response_free(&pdf);
}

static void test_minutes_pdf_of_a_meeting_not_held_is_not_found_as_in_html(void **state)
{
    char meeting[40], item[40], path[200];
    s_meeting("2025-03-27T14:00:00+01:00", "2025-03-27T15:00:00+01:00", meeting);
    harness_stack_add_item(&s_stack, meeting,
                           "{\"kind\":\"CASE\",\"title\":\"Legevakt\",\"durationMin\":20}", item);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    s_send("POST", path, NULL);
    harness_http_response_t *r = s_get_pdf(meeting, false);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes.html", meeting);
    r = harness_stack_get(&s_stack, path);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);

    /* held, not approved: the draft, said to be one, as in HTML */
    s_outcome(meeting, item, "{\"outcome\":\"NOTED\"}");
    r = s_get_pdf(meeting, false);
    harness_expect_status(r, 200);
    char *text = harness_pdf_text(r);
    static const char *const draft[] = {"Utkast – ikke godkjent.", "Legevakt",
                                        "Vedtak: Tatt til orientering."};
    harness_pdf_in_order(text, draft, sizeof draft / sizeof draft[0]);
    free(text);
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minutes_pdf_prints_the_approved_minutes_in_order),
        cmocka_unit_test(test_minutes_pdf_hides_an_exempt_item_from_the_public),
        cmocka_unit_test(test_minutes_pdf_of_a_meeting_not_held_is_not_found_as_in_html),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
