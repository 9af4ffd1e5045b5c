/* E-mail over a real SMTP server: the notice with its calendar event goes
 * to every member of the committee with an address whose term covers the
 * meeting, once; the reporter of a deviation gets a receipt, and the
 * receiving organisation, at its shared address, word of a new deviation. */
#include "harness.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;
static const char *s_kommune = "Authorization: Bearer shk_kommune";

static void s_create(const char *path, const char *body, char id[40])
{
    http_response_t *r = stack_send(&s_stack, "POST", path, body);
    if (r->status != 201 && r->status != 200)
        fprintf(stderr, "%s: %s\n", path, r->body);
    assert_true(r->status == 201 || r->status == 200);
    if (id)
        snprintf(id, 40, "%s", json_text(r, "id"));
    http_response_free(&r);
}

/* The subject as the mail has it: RFC 2047 base64 of UTF-8. */
static void s_encoded(const char *subject, char out[512])
{
    unsigned char b64[400];
    EVP_EncodeBlock(b64, (const unsigned char *)subject, (int)strlen(subject));
    snprintf(out, 512, "Subject: =?UTF-8?B?%s?=", b64);
}

/* The first MIME part's text, decoded. */
static char *s_first_part(const char *message)
{
    const char *start = strstr(message, "Content-Transfer-Encoding: base64\r\n\r\n");
    assert_non_null(start);
    start += strlen("Content-Transfer-Encoding: base64\r\n\r\n");
    const char *end = strstr(start, "--samhand-");
    char *b64 = calloc(1, (size_t)(end - start) + 1);
    size_t n = 0;
    for (const char *p = start; p < end; p++)
        if (*p != '\r' && *p != '\n')
            b64[n++] = *p;
    unsigned char *text = calloc(1, n + 1);
    int len = EVP_DecodeBlock(text, (unsigned char *)b64, (int)n);
    assert_true(len > 0);
    free(b64);
    return (char *)text;
}

static int s_setup(void **state)
{
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    setenv("SAMHAND_MAIL_FROM", "post@helsefellesskapet.no", 1);
    char entry[200];
    harness_api_key("shk_kommune", KOMMUNE, "reporter", entry, sizeof entry);
    setenv("SAMHAND_API_KEYS", entry, 1);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    harness_smtp_stop(&s_smtp);
    return 0;
}

static void test_notice_to_the_members(void **state)
{
    char org[40], kari[40], ola[40], per[40], asu[40], meeting[40], body[512], path[160];
    s_create("/v1/organizations",
             "{\"name\":\"St. Olavs hospital HF\",\"organizationNumber\":\"883974832\","
             "\"kind\":\"HOSPITAL_TRUST\"}",
             org);
    snprintf(body, sizeof body,
             "{\"name\":\"Kari Nordmann\",\"organizationId\":\"%s\",\"email\":\"kari@stolav.no\"}",
             org);
    s_create("/v1/persons", body, kari);
    snprintf(body, sizeof body,
             "{\"name\":\"Ola Nordmann\",\"organizationId\":\"%s\",\"email\":\"ola@stolav.no\"}",
             org);
    s_create("/v1/persons", body, ola);
    snprintf(body, sizeof body, "{\"name\":\"Per Uten Epost\",\"organizationId\":\"%s\"}", org);
    s_create("/v1/persons", body, per);
    s_create("/v1/committees",
             "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
             "\"kind\":\"ADMINISTRATIVE\"}",
             asu);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", asu);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"CHAIR\",\"termFrom\":\"2023-01-01\"}", kari);
    s_create(path, body, NULL);
    /* a member whose term ended, and one without an address: no mail */
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2020-01-01\","
             "\"termTo\":\"2022-12-31\"}",
             ola);
    s_create(path, body, NULL);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2023-01-01\"}", per);
    s_create(path, body, NULL);

    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-02-05T13:00:00+01:00\","
             "\"endTime\":\"2031-02-05T16:00:00+01:00\",\"place\":\"1930, 30M11\"}",
             asu);
    s_create("/v1/meetings", body, meeting);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    s_create(path, "{\"kind\":\"CASE\",\"title\":\"Handlingsplan 2031\",\"durationMin\":30}", NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    s_create(path, NULL, NULL);

    assert_int_equal(harness_smtp_wait(s_smtp, 1, 15000), 1);
    assert_string_equal(harness_smtp_recipient(s_smtp, 0), "<kari@stolav.no>");
    const char *message = harness_smtp_message(s_smtp, 0);
    char subject[512];
    s_encoded("Møteinnkalling: ASU 05.02.2031", subject);
    assert_non_null(strstr(message, subject));
    assert_non_null(strstr(message, "From: samhand <post@helsefellesskapet.no>"));
    assert_non_null(strstr(message, "Content-Type: text/calendar; charset=utf-8; method=PUBLISH"));
    char *html = s_first_part(message);
    assert_non_null(strstr(html, "<h1>MØTEINNKALLING</h1>"));
    assert_non_null(strstr(html, "Handlingsplan 2031"));
    free(html);
    /* once: no second mail to anyone */
    usleep(1500 * 1000);
    assert_int_equal(harness_smtp_wait(s_smtp, 2, 0), 1);
}

static void test_receipt_to_the_reporter(void **state)
{
    char url[256];
    snprintf(url, sizeof url, "%s/v1/deviations", s_stack.base_url);
    const char *headers[] = {s_kommune, NULL};
    http_response_t *r = http_request(
        "POST", url,
        "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
        "\",\"reporterName\":\"Kari Nordmann\",\"reporterEmail\":\"kari.nordmann@trondheim."
        "kommune.no\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":"
        "\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Epikrise "
        "mangler.\",\"submit\":true}",
        headers);
    assert_int_equal(r->status, 201);
    char reference[40], subject[512], text[200];
    snprintf(reference, sizeof reference, "%s", json_text(r, "reference"));
    http_response_free(&r);
    assert_int_equal(harness_smtp_wait(s_smtp, 2, 15000), 2);
    assert_string_equal(harness_smtp_recipient(s_smtp, 1), "<kari.nordmann@trondheim.kommune.no>");
    snprintf(text, sizeof text, "Kvittering: avviksmelding %s er mottatt", reference);
    s_encoded(text, subject);
    assert_non_null(strstr(harness_smtp_message(s_smtp, 1), subject));
    char *html = s_first_part(harness_smtp_message(s_smtp, 1));
    assert_non_null(strstr(html, reference));
    assert_non_null(strstr(html, "svare innen"));
    free(html);
}

static void test_new_deviation_to_the_receiver(void **state)
{
    /* the shared address is checked, and named when wrong */
    http_response_t *r = stack_send(&s_stack, "POST", "/v1/organizations",
                                    "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":"
                                    "\"983974805\",\"kind\":\"HOSPITAL_TRUST\",\"contactEmail\":"
                                    "\"postmottak\"}");
    assert_problem(r, 400, "contactEmail");
    http_response_free(&r);
    char hnt[40], body[1024], path[160];
    s_create("/v1/organizations",
             "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":\"983974805\","
             "\"kind\":\"HOSPITAL_TRUST\",\"contactEmail\":\"postmottak@hnt.no\"}",
             hnt);
    snprintf(path, sizeof path, "/v1/organizations/%s", hnt);
    r = stack_get(&s_stack, path);
    assert_string_equal(json_text(r, "contactEmail"), "postmottak@hnt.no");
    http_response_free(&r);
    /* agenda's stream and deviation's reach notify independently: wait
     * until notify knows the organisation (its feed shows the event) */
    bool known = false;
    for (int i = 0; i < 100 && !known; i++) {
        r = stack_get(&s_stack, "/v1/events?types=no.samhand.organization.&limit=100");
        known = r->body && strstr(r->body, hnt);
        http_response_free(&r);
        if (!known)
            usleep(100 * 1000);
    }
    assert_true(known);

    size_t before = harness_smtp_wait(s_smtp, 0, 0);
    char url[256];
    snprintf(url, sizeof url, "%s/v1/deviations", s_stack.base_url);
    const char *headers[] = {s_kommune, NULL};
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"%s\","
             "\"reporterName\":\"Kari Nordmann\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\","
             "\"type\":\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\","
             "\"description\":\"Epikrise mangler for pasient på post 3.\",\"submit\":true}",
             hnt);
    r = http_request("POST", url, body, headers);
    assert_int_equal(r->status, 201);
    char reference[40], subject[512], text[200];
    snprintf(reference, sizeof reference, "%s", json_text(r, "reference"));
    http_response_free(&r);
    /* no reporter address this time: the one mail is the receiver's */
    assert_int_equal(harness_smtp_wait(s_smtp, before + 1, 15000), before + 1);
    assert_string_equal(harness_smtp_recipient(s_smtp, before), "<postmottak@hnt.no>");
    snprintf(text, sizeof text, "Ny avviksmelding %s til dere", reference);
    s_encoded(text, subject);
    assert_non_null(strstr(harness_smtp_message(s_smtp, before), subject));
    char *html = s_first_part(harness_smtp_message(s_smtp, before));
    assert_non_null(strstr(html, "besvares innen"));
    /* what happened is read in samhand, not in the mail */
    assert_null(strstr(html, "Epikrise mangler"));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notice_to_the_members),
        cmocka_unit_test(test_receipt_to_the_reporter),
        cmocka_unit_test(test_new_deviation_to_the_receiver),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
