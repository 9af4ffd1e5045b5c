/* A disputed deviation report goes to the committee the partnership names
 * for disputes (as the seeds' partnerships take them to the ASU by hand):
 * it becomes a proposal (innmeldt sak) there, linked both ways, saying
 * which report and between whom but nothing of what it says; how the
 * committee takes it (placed on a meeting or declined, and its decision
 * in the approved minutes) comes back onto the report, as an event for
 * both parties, and the decision or the refusal as a mail in Norwegian to
 * each party's shared address (nothing of who reported it). */
#include "harness.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;
static char s_asu[40], s_kommune[40], s_sykehus[40];
static char s_kommune_key[128], s_sykehus_key[128];

static void s_key(const char *org, char auth[128])
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"name\":\"Fagsystem\",\"organizationId\":\"%s\",\"roles\":[\"reporter\"]}", org);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    harness_expect_status(r, 201);
    snprintf(auth, 128, "Authorization: Bearer %s", harness_json_text(r, "key"));
    harness_http_response_free(&r);
}

static harness_http_response_t *s_as(const char *auth, const char *method, const char *path,
                                     const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {auth, NULL};
    return harness_http_request(method, url, body, headers);
}

/* The partnership's settings with `committee` for disputes ("" none). */
static void s_dispute_committee(const char *committee)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/settings");
    harness_expect_status(r, 200);
    char etag[40], if_match[64], url[256], body[512];
    harness_http_header(r, "etag", etag, sizeof etag);
    harness_http_response_free(&r);
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    snprintf(body, sizeof body,
             "{\"answerDeadline\":{\"length\":20,\"unit\":\"WORKING_DAYS\"},"
             "\"statisticsPeriod\":\"TERTIAL\",\"reminderDays\":2,\"disputeCommitteeId\":\"%s\","
             "\"comment\":\"Bestridte avvik til ASU\"}",
             committee);
    snprintf(url, sizeof url, "%s/v1/settings", s_stack.base_url);
    const char *headers[] = {s_stack.auth_header, if_match, NULL};
    r = harness_http_request("PUT", url, body, headers);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "disputeCommitteeId"), committee);
    harness_http_response_free(&r);
}

/* The text of every MIME part of `message` that is base64, decoded and
 * joined (the caller frees it). */
static char *s_decoded(const char *message)
{
    const char *mark = "Content-Transfer-Encoding: base64\r\n\r\n";
    size_t size = strlen(message) + 1, used = 0;
    char *all = calloc(1, size);
    for (const char *start = strstr(message, mark); start; start = strstr(start, mark)) {
        start += strlen(mark);
        const char *end = strstr(start, "--samhand-");
        if (!end)
            end = start + strlen(start);
        char *b64 = calloc(1, (size_t)(end - start) + 1);
        size_t n = 0;
        for (const char *p = start; p < end; p++)
            if (*p != '\r' && *p != '\n')
                b64[n++] = *p;
        int len = EVP_DecodeBlock((unsigned char *)all + used, (unsigned char *)b64, (int)n);
        if (len > 0)
            used += (size_t)len;
        free(b64);
    }
    return all;
}

/* The mail to `to` whose text holds `words`, waiting up to 15 s for it:
 * its decoded text (the caller frees it), and that no mail says who
 * reported the anonymous report. */
static char *s_mail_to(const char *to, const char *words)
{
    char recipient[128];
    snprintf(recipient, sizeof recipient, "<%s>", to);
    for (int tries = 0; tries < 150; tries++) {
        size_t n = harness_smtp_wait(s_smtp, 1, 0);
        for (size_t i = 0; i < n; i++) {
            char *text = s_decoded(harness_smtp_message(s_smtp, i));
            assert_null(strstr(text, "Kari"));
            assert_null(strstr(harness_smtp_message(s_smtp, i), "Kari"));
            if (strcmp(harness_smtp_recipient(s_smtp, i), recipient) == 0 && strstr(text, words))
                return text;
            free(text);
        }
        usleep(100 * 1000);
    }
    fail_msg("no mail to %s saying %s", to, words);
    return NULL;
}

static int s_setup(void **state)
{
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    setenv("SAMHAND_MAIL_FROM", "post@helsefellesskapet.no", 1);
    harness_stack_start(&s_stack, harness_database_url());
    harness_stack_create(&s_stack, "/v1/committees",
                         "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
                         "\"kind\":\"ADMINISTRATIVE\"}",
                         s_asu);
    harness_stack_create(
        &s_stack, "/v1/organizations",
        "{\"name\":\"Trondheim kommune\",\"organizationNumber\":\"942110464\","
        "\"kind\":\"MUNICIPALITY\",\"contactEmail\":\"postmottak@trondheim.example\"}",
        s_kommune);
    harness_stack_create(
        &s_stack, "/v1/organizations",
        "{\"name\":\"St. Olavs hospital HF\",\"organizationNumber\":\"883974832\","
        "\"kind\":\"HOSPITAL_TRUST\",\"contactEmail\":\"postmottak@stolav.example\"}",
        s_sykehus);
    s_key(s_kommune, s_kommune_key);
    s_key(s_sykehus, s_sykehus_key);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    harness_smtp_stop(&s_smtp);
    return 0;
}

/* A report from the municipality, answered by the hospital and disputed
 * by the municipality; its answer to the dispute. */
static harness_http_response_t *s_disputed(char id[40])
{
    char body[1024], path[160];
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"%s\",\"receivingOrganizationId\":\"%s\","
             "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"HEMMELIG-BESKRIVELSE epikrise "
             "manglet.\",\"isAnonymous\":true,\"reporterName\":\"Kari "
             "Hemmelig\",\"harmDegree\":\"MINOR\",\"submit\":true}",
             s_kommune, s_sykehus);
    harness_http_response_t *r = s_as(s_kommune_key, "POST", "/v1/deviations", body);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    static const struct {
        const char *step, *body;
    } steps[] = {{"acknowledge", "{}"},
                 {"respond", "{\"answer\":\"HEMMELIG-SVAR rutinen er fulgt.\"}"}};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/v1/deviations/%s/%s", id, steps[i].step);
        r = s_as(s_sykehus_key, "POST", path, steps[i].body);
        harness_expect_status(r, 200);
        harness_http_response_free(&r);
    }
    snprintf(path, sizeof path, "/v1/deviations/%s/dispute", id);
    r = s_as(s_kommune_key, "POST", path,
             "{\"comment\":\"HEMMELIG-BEGRUNNELSE svaret holder ikke.\"}");
    harness_expect_status(r, 200);
    return r;
}

/* The proposal `id`, once agenda has made it (NULL after 10 s). */
static harness_http_response_t *s_proposal(const char *id)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/proposals/%s", id);
    for (int i = 0; i < 100; i++) {
        harness_http_response_t *r = harness_stack_get(&s_stack, path);
        if (r->status == 200)
            return r;
        harness_http_response_free(&r);
        usleep(100 * 1000);
    }
    return NULL;
}

static void test_a_dispute_becomes_a_proposal_to_the_committee(void **state)
{
    s_dispute_committee(s_asu);
    char id[40], proposal[40], path[160];
    harness_http_response_t *r = s_disputed(id);
    assert_string_equal(harness_json_text(r, "state"), "DISPUTED");
    assert_string_equal(harness_json_text(r, "disputeCommitteeId"), s_asu);
    assert_string_equal(harness_json_text(r, "disputeState"), "SUBMITTED");
    snprintf(proposal, sizeof proposal, "%s", harness_json_text(r, "disputeProposalId"));
    assert_int_equal(strlen(proposal), 36);
    char reference[32];
    snprintf(reference, sizeof reference, "%s", harness_json_text(r, "reference"));
    harness_http_response_free(&r);

    /* the committee's proposal, linked back to the report */
    r = s_proposal(proposal);
    assert_non_null(r);
    assert_string_equal(harness_json_text(r, "committeeId"), s_asu);
    assert_string_equal(harness_json_text(r, "deviationId"), id);
    assert_string_equal(harness_json_text(r, "state"), "SUBMITTED");
    assert_string_equal(harness_json_text(r, "organizationId"), s_kommune);
    assert_string_equal(harness_json_text(r, "submitterName"), "Trondheim kommune");
    assert_non_null(strstr(harness_json_text(r, "title"), reference));
    assert_non_null(strstr(harness_json_text(r, "description"), "St. Olavs hospital HF"));
    /* what the report says is for its parties, not for everyone who
     * reads the committee's work; nor who reported it */
    assert_null(strstr(r->body, "HEMMELIG"));
    assert_null(strstr(r->body, "Kari"));
    harness_http_response_free(&r);
    char list[160];
    snprintf(list, sizeof list, "/v1/committees/%s/proposals", s_asu);
    r = harness_stack_get(&s_stack, list);
    assert_non_null(strstr(r->body, proposal));
    harness_http_response_free(&r);

    /* the secretary declines it; the report says so, and both parties hear */
    snprintf(path, sizeof path, "/v1/proposals/%s/decline", proposal);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"reason\":\"Partene løser saken i samarbeidsmøtet.\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    bool decided = false;
    for (int i = 0; i < 100 && !decided; i++) {
        r = s_as(s_sykehus_key, "GET", path, NULL);
        decided = strcmp(harness_json_text(r, "disputeState"), "DECLINED") == 0;
        if (decided)
            assert_string_equal(harness_json_text(r, "disputeReason"),
                                "Partene løser saken i samarbeidsmøtet.");
        harness_http_response_free(&r);
        if (!decided)
            usleep(100 * 1000);
    }
    assert_true(decided);
    const char *keys[] = {s_kommune_key, s_sykehus_key};
    for (int k = 0; k < 2; k++) {
        bool told = false;
        for (int i = 0; i < 100 && !told; i++) {
            r = s_as(keys[k], "GET",
                     "/v1/events?types=no.samhand.deviation.dispute_decided&limit=50", NULL);
            harness_expect_status(r, 200);
            told = strstr(r->body, id) != NULL;
            assert_null(strstr(r->body, "Kari Hemmelig")); /* anonymous, in events too */
            harness_http_response_free(&r);
            if (!told)
                usleep(100 * 1000);
        }
        assert_true(told);
    }
    /* and by mail, each party at its shared address, in Norwegian */
    char *text = s_mail_to("postmottak@trondheim.example", "tar ikke opp det bestridte svaret");
    assert_non_null(strstr(text, reference));
    assert_non_null(strstr(text, "ASU"));
    assert_non_null(strstr(text, "St. Olavs hospital HF"));
    assert_non_null(strstr(text, "Partene løser saken i samarbeidsmøtet."));
    assert_null(strstr(text, "HEMMELIG"));
    free(text);
    text = s_mail_to("postmottak@stolav.example", "tar ikke opp det bestridte svaret");
    assert_non_null(strstr(text, "Trondheim kommune"));
    free(text);
}

/* The report `id` once its disputeState is `state` (fails after 10 s). */
static harness_http_response_t *s_report_when(const char *id, const char *state)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    for (int i = 0; i < 100; i++) {
        harness_http_response_t *r = s_as(s_kommune_key, "GET", path, NULL);
        if (strcmp(harness_json_text(r, "disputeState"), state) == 0)
            return r;
        harness_http_response_free(&r);
        usleep(100 * 1000);
    }
    fail_msg("report %s never came to disputeState %s", id, state);
    return NULL;
}

static void test_the_committees_decision_comes_back(void **state)
{
    s_dispute_committee(s_asu);
    char id[40], proposal[40], meeting[40], person[40], item[40], path[200], body[512];
    harness_http_response_t *r = s_disputed(id);
    snprintf(proposal, sizeof proposal, "%s", harness_json_text(r, "disputeProposalId"));
    harness_http_response_free(&r);
    r = s_proposal(proposal);
    assert_non_null(r);
    harness_http_response_free(&r);
    /* the secretary puts it on the ASU's meeting */
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2025-03-17T12:00:00+01:00\","
             "\"endTime\":\"2025-03-17T15:00:00+01:00\",\"place\":\"Teams\"}",
             s_asu);
    harness_stack_create(&s_stack, "/v1/meetings", body, meeting);
    snprintf(path, sizeof path, "/v1/proposals/%s/accept", proposal);
    snprintf(body, sizeof body, "{\"meetingId\":\"%s\",\"durationMin\":20}", meeting);
    r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    snprintf(item, sizeof item, "%s", harness_json_text(r, "itemId"));
    harness_http_response_free(&r);
    r = s_report_when(id, "ACCEPTED");
    assert_string_equal(harness_json_text(r, "disputeMeetingId"), meeting);
    harness_http_response_free(&r);
    /* held, decided, approved */
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(body, sizeof body, "{\"name\":\"Ingjerd Astad\",\"organizationId\":\"%s\"}",
             s_sykehus);
    harness_stack_create(&s_stack, "/v1/persons", body, person);
    snprintf(path, sizeof path, "/v1/meetings/%s/attendance", meeting);
    snprintf(body, sizeof body, "{\"entries\":[{\"personId\":\"%s\",\"status\":\"PRESENT\"}]}",
             person);
    r = harness_stack_send(&s_stack, "PUT", path, body);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, item);
    r = harness_stack_send(
        &s_stack, "PUT", path,
        "{\"outcome\":\"ADOPTED_AS_AMENDED\",\"decision\":\"ASU ber partene om en "
        "felles hendelsesanalyse.\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes/approve", meeting);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* the decision on the report, for both parties */
    r = s_report_when(id, "DECIDED");
    assert_string_equal(harness_json_text(r, "disputeDecision"),
                        "ASU ber partene om en felles hendelsesanalyse.");
    char reference[32];
    snprintf(reference, sizeof reference, "%s", harness_json_text(r, "reference"));
    harness_http_response_free(&r);
    /* both parties are told the decision by mail, in Norwegian */
    static const char *const parties[] = {"postmottak@trondheim.example",
                                          "postmottak@stolav.example"};
    for (int k = 0; k < 2; k++) {
        char *text = s_mail_to(parties[k], "ASU ber partene om en felles hendelsesanalyse.");
        assert_non_null(strstr(text, "ASU har behandlet det bestridte svaret"));
        assert_non_null(strstr(text, reference));
        assert_null(strstr(text, "HEMMELIG"));
        free(text);
    }
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(s_sykehus_key, "GET", path, NULL);
    assert_string_equal(harness_json_text(r, "disputeDecision"),
                        "ASU ber partene om en felles hendelsesanalyse.");
    harness_http_response_free(&r);
}

static void test_no_committee_named_no_proposal(void **state)
{
    s_dispute_committee("");
    char id[40];
    harness_http_response_t *r = s_disputed(id);
    assert_string_equal(harness_json_text(r, "state"), "DISPUTED");
    assert_string_equal(harness_json_text(r, "disputeProposalId"), "");
    assert_string_equal(harness_json_text(r, "disputeState"), "");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_dispute_becomes_a_proposal_to_the_committee),
        cmocka_unit_test(test_the_committees_decision_comes_back),
        cmocka_unit_test(test_no_committee_named_no_proposal),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
