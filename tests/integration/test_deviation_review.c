/* Leader review, optional per partnership (its settings): with it, a
 * submitted report goes first to a leader of the reporting organisation,
 * who returns it to its writer with a comment or approves it on to the
 * receiver; until then the receiving organisation, its quality staff
 * included, finds nothing of it in any read, list, event or statistics,
 * and an anonymous reporter stays unknown to it afterwards. Improvement
 * proposals (forbedringsforslag) travel the same route, and are listed
 * and counted as their own type. */
#include "harness.h"
#include "samhand/v1/event.pb-c.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define KOMMUNE "11111111-1111-4111-8111-111111111111"
#define SYKEHUS "22222222-2222-4222-8222-222222222222"
#define CANARY_NAME "Kari Hemmeligsen"

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;
enum { WRITER, LEADER, COLLEAGUE, RECEIVER, RECEIVER_QUALITY, RECEIVER_LEADER, N_KEYS };
static const harness_key_t s_keys[N_KEYS] = {
    {"shk_kommune_skriver", KOMMUNE, "reporter"}, {"shk_kommune_leder", KOMMUNE, "leader"},
    {"shk_kommune_kollega", KOMMUNE, "reporter"}, {"shk_sykehus", SYKEHUS, "reporter"},
    {"shk_sykehus_kvalitet", SYKEHUS, "quality"}, {"shk_sykehus_leder", SYKEHUS, "leader"},
};

/* As `who` (-1: the administrator), with one more header `extra` (or NULL). */
static harness_http_response_t *s_as(int who, const char *method, const char *path,
                                     const char *body, const char *extra)
{
    return harness_stack_send_with(&s_stack, who < 0 ? NULL : s_keys[who].key, method, path, body,
                                   extra);
}

/* The If-Match of the newest settings version, as the writer reads it. */
static void s_newest_etag(char out[48])
{
    char etag[32];
    harness_stack_settings_etag(&s_stack, s_keys[WRITER].key, etag);
    snprintf(out, 48, "If-Match: %s", etag);
}

static int s_setup(void **state)
{
    harness_api_keys_set(s_keys, N_KEYS);
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    setenv("SAMHAND_WEB_URL", "https://samhand.example", 1);
    harness_stack_start(&s_stack, harness_database_url());
    /* the partnership turns leader review on */
    char etag[48];
    s_newest_etag(etag);
    harness_http_response_t *r =
        s_as(-1, "PUT", "/v1/settings",
             "{\"answerDeadline\":{\"length\":10,\"unit\":\"WORKING_DAYS\"},\"statisticsPeriod\":"
             "\"TERTIAL\",\"reminderDays\":2,\"isLeaderReview\":true,\"comment\":\"Leder ser "
             "over meldingene før de sendes\"}",
             etag);
    harness_expect_status(r, 200);
    assert_true(json_is_true(json_object_get(r->json, "isLeaderReview")));
    harness_http_response_free(&r);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    harness_smtp_stop(&s_smtp);
    return 0;
}

static const char *s_form(const char *type)
{
    static char body[1024];
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"" KOMMUNE "\",\"receivingOrganizationId\":\"" SYKEHUS
             "\",\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"%s\",\"categoryCode\":"
             "\"SAM-EPIKRISE\",\"description\":\"Epikrisen kom ikke med.\",\"harmDegree\":"
             "\"MINOR\",\"isAnonymous\":true,\"reporterName\":\"" CANARY_NAME "\","
             "\"reporterEmail\":\"kari.hemmeligsen@kommune.example\",\"submit\":true}",
             type);
    return body;
}

static const char *s_step(int who, const char *id, const char *step, const char *body, long status)
{
    static char state_text[64];
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s/%s", id, step);
    harness_http_response_t *r = s_as(who, "POST", path, body, NULL);
    harness_expect_status(r, status);
    snprintf(state_text, sizeof state_text, "%s", harness_json_text(r, "state"));
    harness_http_response_free(&r);
    return state_text;
}

/* Nothing of report `id` reaches `who`: its read, its lists (every type,
 * by state and by reference too), the events feed. */
static void s_nothing_for(int who, const char *id)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    harness_http_response_t *r = s_as(who, "GET", path, NULL, NULL);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/deviations/%s/fhir", id);
    r = s_as(who, "GET", path, NULL, NULL);
    harness_assert_problem(r, 404, "id");
    harness_http_response_free(&r);
    static const char *const lists[] = {"/v1/deviations?limit=200",
                                        "/v1/deviations?limit=200&newestFirst=true",
                                        "/v1/deviations?state=IN_REVIEW",
                                        "/v1/deviations?organizationId=" KOMMUNE "&limit=200",
                                        "/v1/deviations?type=IMPROVEMENT_PROPOSAL",
                                        "/v1/events?types=no.samhand.deviation.&limit=500"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        r = s_as(who, "GET", lists[i], NULL, NULL);
        harness_expect_status(r, 200);
        assert_null(strstr(r->body, id));
        assert_null(strstr(r->body, CANARY_NAME));
        harness_http_response_free(&r);
    }
}

/* Each event of report `id` so far and whom it is for, as "type:writer;"
 * (its writer alone), "type:leaders;" (its reporting organisation's
 * leaders), "type:reporting;" (its reporting organisation) or
 * "type:both;". */
static void s_audiences(const char *id, char *out, size_t size)
{
    PGconn *db = PQconnectdb(harness_service_url("deviation"));
    const char *params[] = {id};
    PGresult *res = PQexecParams(db,
                                 "SELECT type, event FROM outbox WHERE subject = $1 ORDER BY "
                                 "sequence",
                                 1, NULL, params, NULL, NULL, 1);
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < PQntuples(res); i++) {
        Samhand__V1__Event *e = samhand__v1__event__unpack(NULL, (size_t)PQgetlength(res, i, 1),
                                                           (const uint8_t *)PQgetvalue(res, i, 1));
        assert_non_null(e);
        bool receiver = false;
        for (size_t k = 0; k < e->n_audience_organization_ids; k++)
            receiver |= strcmp(e->audience_organization_ids[k], SYKEHUS) == 0;
        /* narrowed to its writer: no quality role of any party gets it either */
        bool writer = e->n_audience_subjects == 1 && e->n_audience_organization_ids == 1;
        bool leaders = e->n_audience_roles == 1 && strcmp(e->audience_roles[0], "leader") == 0 &&
                       e->n_audience_subjects == 0 && e->n_audience_organization_ids == 1;
        /* what the leader said to the writer stays on the reporting side */
        if (receiver)
            assert_null(memmem(e->data.data, e->data.len, "Kari, skriv", 11));
        else if (strcmp(PQgetvalue(res, i, 0), "no.samhand.deviation.returned") == 0)
            assert_non_null(memmem(e->data.data, e->data.len, "Kari, skriv", 11));
        used += (size_t)snprintf(out + used, size - used, "%s:%s;", PQgetvalue(res, i, 0),
                                 receiver  ? "both"
                                 : writer  ? "writer"
                                 : leaders ? "leaders"
                                           : "reporting");
        samhand__v1__event__free_unpacked(e, NULL);
    }
    PQclear(res);
    PQfinish(db);
}

static void test_a_report_reaches_the_receiver_only_when_its_leader_approves(void **state)
{
    harness_http_response_t *r =
        s_as(WRITER, "POST", "/v1/deviations", s_form("BREACH_OF_AGREEMENT"), NULL);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "state"), "IN_REVIEW");
    assert_string_equal(harness_json_text(r, "reference"), ""); /* none before it goes */
    char id[40];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);

    /* the receiver, its quality staff and its leader: nothing */
    for (int who = RECEIVER; who <= RECEIVER_LEADER; who++)
        s_nothing_for(who, id);
    /* its own organisation's leader has it, with the two steps */
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(LEADER, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "\"approve\""));
    assert_non_null(strstr(r->body, "\"return\""));
    harness_http_response_free(&r);
    /* the writer and a colleague cannot approve it; a receiver's leader
     * is told it does not exist */
    s_step(WRITER, id, "approve", "{}", 409);
    s_step(COLLEAGUE, id, "approve", "{}", 409);
    s_step(RECEIVER_LEADER, id, "approve", "{}", 404);
    /* returned, with what to change: a draft of its writer's again */
    s_step(LEADER, id, "return", "{}", 400);
    s_step(LEADER, id, "return", "{\"comment\":\"Kari, skriv når det skjedde på dagen.\"}", 200);
    r = s_as(WRITER, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "DRAFT");
    assert_non_null(strstr(r->body, "Kari, skriv når det skjedde på dagen."));
    harness_http_response_free(&r);
    for (int who = RECEIVER; who <= RECEIVER_LEADER; who++)
        s_nothing_for(who, id);
    /* sent again, and approved: now it is the receiver's, with deadlines */
    assert_string_equal(s_step(WRITER, id, "submit", "{}", 200), "IN_REVIEW");
    assert_string_equal(s_step(LEADER, id, "approve", "{}", 200), "SUBMITTED");
    r = s_as(RECEIVER, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "state"), "SUBMITTED");
    assert_true(strncmp(harness_json_text(r, "reference"), "AVV-", 4) == 0);
    assert_non_null(strstr(r->body, "\"acknowledge\""));
    /* anonymous: neither the writer nor the leader is named to it */
    assert_null(strstr(r->body, CANARY_NAME));
    assert_null(strstr(r->body, "kari.hemmeligsen"));
    assert_null(strstr(r->body, "key:"));
    /* nor what the leader said to the writer: the reporting side's own */
    assert_null(strstr(r->body, "Kari, skriv"));
    assert_non_null(strstr(r->body, "\"return\""));
    harness_http_response_free(&r);
    /* in the feed: once the receiver's quality staff have its submission,
     * they have none of the steps before it; its writer has them all */
    for (int tries = 0;; tries++) {
        r = s_as(RECEIVER_QUALITY, "GET",
                 "/v1/events?types=no.samhand.deviation.submitted&limit=500", NULL, NULL);
        bool arrived = r->body && strstr(r->body, id);
        harness_http_response_free(&r);
        if (arrived)
            break;
        assert_true(tries < 100);
        usleep(100 * 1000);
    }
    static const char *const early =
        "/v1/events?types=no.samhand.deviation.review_requested,no.samhand.deviation.returned"
        "&limit=500";
    for (int who = RECEIVER; who <= RECEIVER_LEADER; who++) {
        r = s_as(who, "GET", early, NULL, NULL);
        harness_expect_status(r, 200);
        assert_null(strstr(r->body, id));
        harness_http_response_free(&r);
    }
    /* nor its colleague: the writer has the return, the leader the
     * requests to review */
    r = s_as(COLLEAGUE, "GET", early, NULL, NULL);
    harness_expect_status(r, 200);
    assert_null(strstr(r->body, id));
    harness_http_response_free(&r);
    r = s_as(WRITER, "GET", early, NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "no.samhand.deviation.returned"));
    assert_null(strstr(r->body, "no.samhand.deviation.review_requested"));
    assert_non_null(strstr(r->body, id));
    harness_http_response_free(&r);
    r = s_as(LEADER, "GET", early, NULL, NULL);
    harness_expect_status(r, 200);
    assert_non_null(strstr(r->body, "no.samhand.deviation.review_requested"));
    assert_null(strstr(r->body, "no.samhand.deviation.returned"));
    harness_http_response_free(&r);
    /* every step an event; those before approval for its writer only */
    char audiences[2048];
    s_audiences(id, audiences, sizeof audiences);
    assert_string_equal(audiences, "no.samhand.deviation.review_requested:leaders;"
                                   "no.samhand.deviation.returned:writer;"
                                   "no.samhand.deviation.review_requested:leaders;"
                                   "no.samhand.deviation.submitted:both;");
}

static void test_improvement_proposals_take_the_same_route_as_their_own_type(void **state)
{
    harness_http_response_t *r =
        s_as(WRITER, "POST", "/v1/deviations", s_form("IMPROVEMENT_PROPOSAL"), NULL);
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "state"), "IN_REVIEW");
    char id[40];
    snprintf(id, sizeof id, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
    s_nothing_for(RECEIVER, id);
    assert_string_equal(s_step(LEADER, id, "approve", "{}", 200), "SUBMITTED");
    /* a reference of its own series: a proposal is no deviation (AVV-) */
    char path[160], year[8];
    time_t today = time(NULL);
    strftime(year, sizeof year, "%Y", localtime(&today));
    snprintf(path, sizeof path, "/v1/deviations/%s", id);
    r = s_as(RECEIVER, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    const char *reference = harness_json_text(r, "reference");
    char want[16];
    snprintf(want, sizeof want, "FOR-%s-", year);
    if (strncmp(reference, want, strlen(want)) != 0 || strlen(reference) < strlen(want) + 4)
        fail_msg("an improvement proposal's reference is %s, not %s and its number", reference,
                 want);
    harness_http_response_free(&r);
    /* the receiver's proposals: this one, and no deviation */
    r = s_as(RECEIVER, "GET", "/v1/deviations?type=IMPROVEMENT_PROPOSAL&limit=200", NULL, NULL);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    assert_true(json_array_size(items) >= 1);
    size_t i;
    json_t *item;
    json_array_foreach(items, i, item)
    {
        assert_string_equal(json_string_value(json_object_get(item, "type")),
                            "IMPROVEMENT_PROPOSAL");
    }
    assert_non_null(strstr(r->body, id));
    harness_http_response_free(&r);
    r = s_as(RECEIVER, "GET", "/v1/deviations?type=BREACH_OF_AGREEMENT&limit=200", NULL, NULL);
    harness_expect_status(r, 200);
    assert_null(strstr(r->body, id));
    harness_http_response_free(&r);
    r = s_as(RECEIVER, "GET", "/v1/deviations?type=NOPE", NULL, NULL);
    harness_assert_problem(r, 400, "type");
    harness_http_response_free(&r);
    /* the same workflow: acknowledged and answered by the receiver */
    assert_string_equal(s_step(RECEIVER, id, "acknowledge", "{}", 200), "AWAITING_RESPONSE");
    assert_string_equal(
        s_step(RECEIVER, id, "respond", "{\"answer\":\"Vi tar forslaget inn.\"}", 200), "ANSWERED");
    /* counted as its own type, by its Norwegian name; nothing in review is */
    r = s_as(WRITER, "POST", "/v1/deviations", s_form("IMPROVEMENT_PROPOSAL"), NULL);
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    snprintf(path, sizeof path, "/v1/deviations/stats?period=%d-T%d", tm.tm_year + 1900,
             tm.tm_mon / 4 + 1);
    r = s_as(-1, "GET", path, NULL, NULL);
    harness_expect_status(r, 200);
    json_t *current = json_object_get(r->json, "current");
    json_t *by_type = json_object_get(current, "byType");
    bool found = false;
    json_array_foreach(by_type, i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "key")), "IMPROVEMENT_PROPOSAL") == 0) {
            found = true;
            assert_string_equal(json_string_value(json_object_get(item, "name")),
                                "Forbedringsforslag");
        }
    }
    assert_true(found);
    /* two approved reports; the third waits for its leader */
    json_t *states = json_object_get(current, "byState");
    json_array_foreach(states, i, item)
    {
        assert_string_not_equal(json_string_value(json_object_get(item, "key")), "IN_REVIEW");
    }
    harness_http_response_free(&r);
}

/* Waits until the feed (notify's inbox) has an event `type` of `id`. */
static void s_in_feed(const char *type, const char *id)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/events?types=%s&limit=500", type);
    for (int tries = 0; tries < 100; tries++) {
        harness_http_response_t *r = harness_stack_get(&s_stack, path);
        bool seen = r->status == 200 && strstr(r->body, id);
        harness_http_response_free(&r);
        if (seen)
            return;
        usleep(100 * 1000);
    }
    fail_msg("no %s of %s in the feed", type, id);
}

/* An organisation made through the directory, with its addresses (NULL:
 * none), once notify has it; its id into `id`. */
static void s_organization(const char *number, const char *kind, const char *contact,
                           const char *review, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"Org %s\",\"organizationNumber\":\"%s\",\"kind\":\"%s\"%s%s%s%s%s%s}",
             number, number, kind, contact ? ",\"contactEmail\":\"" : "", contact ? contact : "",
             contact ? "\"" : "", review ? ",\"reviewEmail\":\"" : "", review ? review : "",
             review ? "\"" : "");
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/organizations", body);
    harness_expect_status(r, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    if (review)
        assert_string_equal(harness_json_text(r, "reviewEmail"), review);
    harness_http_response_free(&r);
    s_in_feed("no.samhand.organization.created", id);
}

/* A report of `from` to `to` submitted by a reporter key of `from`, made
 * through the API; waits for its leader (IN_REVIEW). */
static void s_submitted_for_review(const char *from, const char *to, char id[40])
{
    char body[1024], key[128];
    harness_stack_new_key(&s_stack, from, "[\"reporter\"]", key);
    harness_http_response_t *r;
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"%s\",\"receivingOrganizationId\":\"%s\","
             "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
             "\"categoryCode\":\"SAM-EPIKRISE\","
             "\"description\":\"Epikrisen til CANARY-PASIENT kom ikke med.\",\"harmDegree\":"
             "\"MINOR\",\"reporterName\":\"" CANARY_NAME "\",\"submit\":true}",
             from, to);
    for (int tries = 0; tries < 50; tries++) { /* until deviation has both organisations */
        r = harness_stack_send_as(&s_stack, key, "POST", "/v1/deviations", body);
        if (r->status == 201)
            break;
        harness_http_response_free(&r);
        usleep(100 * 1000);
    }
    harness_expect_status(r, 201);
    assert_string_equal(harness_json_text(r, "state"), "IN_REVIEW");
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

/* Whether a mail to `address` names report `id` (its decoded text),
 * waited for `tries` tenths of a second. Every mail of the report is
 * checked on the way: none carries what the report says or who wrote it.
 * On true, *text_p (when asked) is the text, which the caller frees. */
static bool s_mail_of(size_t from, const char *id, const char *address, int tries, char **text_p)
{
    char want[128];
    snprintf(want, sizeof want, "<%s>", address);
    for (int t = 0; t < tries; t++) {
        size_t n = harness_smtp_wait(s_smtp, 0, 0);
        for (size_t i = from; i < n; i++) {
            char *text = harness_smtp_first_part(harness_smtp_message(s_smtp, i));
            bool is_of = strstr(text, id) != NULL;
            if (is_of) {
                assert_null(strstr(text, "CANARY-PASIENT"));
                assert_null(strstr(text, "Hemmeligsen"));
            }
            if (is_of && strcmp(harness_smtp_recipient(s_smtp, i), want) == 0) {
                if (text_p)
                    *text_p = text;
                else
                    free(text);
                return true;
            }
            free(text);
        }
        usleep(100 * 1000);
    }
    return false;
}

/* A report waiting for its leader is announced to the reporting
 * organisation's leaders at its review address (and without one to no
 * one), with the link to it and nothing of what it says; the receiver is
 * not told until it is approved, and cannot point the address at itself. */
static void test_the_leaders_are_told_a_report_waits(void **state)
{
    char kommune[40], sykehus[40], id[40];
    s_organization("938000018", "MUNICIPALITY", "postmottak@levanger.example",
                   "avviksledere@levanger.example", kommune);
    s_organization("938000026", "HOSPITAL_TRUST", "postmottak@hnt.example", NULL, sykehus);
    size_t mails = harness_smtp_wait(s_smtp, 0, 0);
    s_submitted_for_review(kommune, sykehus, id);
    char *text = NULL;
    s_mail_of(mails, id, "avviksledere@levanger.example", 150, &text);
    if (!text)
        fail_msg("no mail to the review address that report %s waits", id);
    assert_non_null(strstr(text, "venter på godkjenning hos leder"));
    char link[128];
    snprintf(link, sizeof link, "https://samhand.example/#avvik-%s", id);
    assert_non_null(strstr(text, link));
    free(text);
    /* neither the shared address (the review address is the one named)
     * nor the receiver hears of it */
    assert_false(s_mail_of(mails, id, "postmottak@levanger.example", 20, NULL));
    assert_false(s_mail_of(mails, id, "postmottak@hnt.example", 1, NULL));

    /* the receiving hospital's secretariat keeps the directory's names, not
     * another party's addresses: it cannot point them at itself */
    char path[200], secretariat[128], own_admin[128];
    harness_stack_new_key(&s_stack, sykehus, "[\"secretariat\"]", secretariat);
    harness_stack_new_key(&s_stack, kommune, "[\"administrator\"]", own_admin);
    snprintf(path, sizeof path, "/v1/organizations/%s", kommune);
    static const char *const takeovers[] = {"{\"reviewEmail\":\"spion@hnt.example\"}",
                                            "{\"contactEmail\":\"spion@hnt.example\"}"};
    for (size_t i = 0; i < 2; i++) {
        harness_http_response_t *r =
            harness_stack_send_as(&s_stack, secretariat, "PATCH", path, takeovers[i]);
        harness_assert_problem(r, 403, i == 0 ? "reviewEmail" : "contactEmail");
        harness_http_response_free(&r);
    }
    harness_http_response_t *r = harness_stack_get(&s_stack, path);
    assert_string_equal(harness_json_text(r, "reviewEmail"), "avviksledere@levanger.example");
    assert_string_equal(harness_json_text(r, "contactEmail"), "postmottak@levanger.example");
    harness_http_response_free(&r);
    /* the organisation's own administrator may; a bad address is named */
    r = harness_stack_send_as(&s_stack, own_admin, "PATCH", path,
                              "{\"reviewEmail\":\"ikke en adresse\"}");
    harness_assert_problem(r, 400, "reviewEmail");
    harness_http_response_free(&r);
    r = harness_stack_send_as(&s_stack, own_admin, "PATCH", path, "{\"reviewEmail\":\"\"}");
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "reviewEmail"), "");
    harness_http_response_free(&r);
    /* without a review address no one is mailed: the shared address is a
     * postmottak, journaled, and would tell of the report before it goes */
    s_in_feed("no.samhand.organization.updated", kommune); /* notify has the change */
    mails = harness_smtp_wait(s_smtp, 0, 0);
    s_submitted_for_review(kommune, sykehus, id);
    assert_false(s_mail_of(mails, id, "postmottak@levanger.example", 30, NULL));
    assert_false(s_mail_of(mails, id, "avviksledere@levanger.example", 1, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_report_reaches_the_receiver_only_when_its_leader_approves),
        cmocka_unit_test(test_improvement_proposals_take_the_same_route_as_their_own_type),
        cmocka_unit_test(test_the_leaders_are_told_a_report_waits),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
