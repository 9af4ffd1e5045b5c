/* Only what you may see, in the committees' papers: an exempt item's
 * title, decision and presenters reach no one outside the committee
 * through a case view or a notice's list of changes, and a secretary or
 * member acts only on the committees that are theirs (issue 12). Each
 * secret is a canary string that must not appear in an answer. */
#include "harness.h"

#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static harness_stack_t s_stack;
static char s_trust[40], s_levanger[40], s_verdal[40];
static char s_asu[40], s_beredskap[40];
/* keys: the trust's secretariat, Levanger's secretary (runs nothing),
 * the committee's own secretary by membership (of Verdal), a member of ASU
 * and a member of another committee */
static char s_trust_secretary[80], s_other_secretary[80], s_asu_secretary[80];
static char s_asu_member[80], s_other_member[80];

/* An API key made by the administrator; its subject into `subject`. */
static void s_key(const char *organization_id, const char *role, char key[80], char subject[32])
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"organizationId\":\"%s\",\"roles\":[\"%s\"]}",
             role, organization_id, role);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    harness_expect_status(r, 201);
    snprintf(key, 80, "%s", harness_json_text(r, "key"));
    if (subject)
        snprintf(subject, 32, "%s", harness_json_text(r, "subject"));
    harness_http_response_free(&r);
}

/* A person who signs in with a new key of `role`, with a membership of
 * `committee` as `membership_role`. */
static void s_member(const char *committee, const char *organization_id, const char *role,
                     const char *membership_role, char key[80])
{
    char subject[32], person[40], body[512], path[128], id[40];
    s_key(organization_id, role, key, subject);
    snprintf(body, sizeof body,
             "{\"name\":\"Person %s\",\"organizationId\":\"%s\",\"principalSubject\":\"%s\"}",
             subject, organization_id, subject);
    harness_stack_create(&s_stack, "/v1/persons", body, person);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", committee);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"%s\",\"organizationId\":\"%s\","
             "\"termFrom\":\"2020-01-01\"}",
             person, membership_role, organization_id);
    harness_stack_create(&s_stack, path, body, id);
}

static harness_http_response_t *s_as(const char *key, const char *method, const char *path,
                                     const char *body)
{
    return harness_stack_send_by(&s_stack, key, method, path, body);
}

/* Fails when `canary` is anywhere in the answer, headers or body. */
static void s_no_canary(const harness_http_response_t *r, const char *canary, const char *what)
{
    if ((r->body && strstr(r->body, canary)) || (r->headers && strstr(r->headers, canary)))
        fail_msg("%s: the answer holds %s: %.400s", what, canary, r->body);
}

static void s_has_canary(const harness_http_response_t *r, const char *canary, const char *what)
{
    if (!r->body || !strstr(r->body, canary))
        fail_msg("%s: the answer lacks %s: %.400s", what, canary, r->body ? r->body : "");
}

static void s_meeting(const char *committee, const char *start, char id[40])
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"%sT12:00:00+01:00\","
             "\"endTime\":\"%sT15:00:00+01:00\",\"place\":\"Levanger\"}",
             committee, start, start);
    harness_stack_create(&s_stack, "/v1/meetings", body, id);
}

/* Adds an item; its id and case id. */
static void s_item(const char *meeting, const char *body, char id[40], char case_id[40])
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items");
    json_t *item = json_array_get(items, json_array_size(items) - 1);
    snprintf(id, 40, "%s", json_string_value(json_object_get(item, "id")));
    if (case_id)
        snprintf(case_id, 40, "%s", json_string_value(json_object_get(item, "caseId")));
    harness_http_response_free(&r);
}

static void s_post(const char *path, long status)
{
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, status);
    harness_http_response_free(&r);
}

static int s_setup(void **state)
{
    harness_stack_start(&s_stack, harness_database_url());
    harness_stack_create(
        &s_stack, "/v1/organizations",
        "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":\"983974880\","
        "\"kind\":\"HOSPITAL_TRUST\"}",
        s_trust);
    harness_stack_create(&s_stack, "/v1/organizations",
                         "{\"name\":\"Levanger kommune\",\"organizationNumber\":\"938587051\","
                         "\"kind\":\"MUNICIPALITY\"}",
                         s_levanger);
    harness_stack_create(&s_stack, "/v1/organizations",
                         "{\"name\":\"Verdal kommune\",\"organizationNumber\":\"944350675\","
                         "\"kind\":\"MUNICIPALITY\"}",
                         s_verdal);
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\","
             "\"kind\":\"ADMINISTRATIVE\",\"secretariatOrganizationId\":\"%s\"}",
             s_trust);
    harness_stack_create(&s_stack, "/v1/committees", body, s_asu);
    snprintf(body, sizeof body,
             "{\"name\":\"Beredskaps-ASU\",\"kind\":\"EMERGENCY\","
             "\"secretariatOrganizationId\":\"%s\"}",
             s_trust);
    harness_stack_create(&s_stack, "/v1/committees", body, s_beredskap);
    s_key(s_trust, "secretary", s_trust_secretary, NULL);
    s_key(s_levanger, "secretary", s_other_secretary, NULL);
    s_member(s_asu, s_verdal, "secretary", "SECRETARY", s_asu_secretary);
    s_member(s_asu, s_levanger, "member", "MEMBER", s_asu_member);
    s_member(s_beredskap, s_levanger, "member", "MEMBER", s_other_member);
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    return 0;
}

/* GET /v1/cases/{id} was the side door: the case id is in the public
 * meeting view, and the case told the exempt item's title and decision. */
static void test_a_case_tells_its_exempt_treatment_only_to_the_committee(void **state)
{
    char meeting[40], item[40], case_id[40], path[200];
    s_meeting(s_asu, "2026-02-05", meeting);
    s_item(
        meeting,
        "{\"kind\":\"CASE\",\"title\":\"CANARY-CASE-TITLE\",\"durationMin\":20,"
        "\"isExempt\":true,\"publicTitle\":\"Sak om personal\",\"exemptionBasis\":\"offl. § 13\","
        "\"presenters\":[\"CANARY-PRESENTER\"]}",
        item, case_id);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    s_post(path, 200);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, item);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PUT", path,
                           "{\"outcome\":\"ADOPTED_AS_AMENDED\",\"decision\":\"CANARY-VEDTAK\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/cases/%s", case_id);
    /* a member of another committee, and a secretary who runs none */
    const char *outsiders[] = {s_other_member, s_other_secretary};
    for (size_t i = 0; i < 2; i++) {
        r = s_as(outsiders[i], "GET", path, NULL);
        harness_expect_status(r, 200);
        s_no_canary(r, "CANARY-CASE-TITLE", "an outsider's case view");
        s_no_canary(r, "CANARY-VEDTAK", "an outsider's case view");
        s_has_canary(r, "offl. § 13", "an outsider's case view (the legal basis)");
        harness_http_response_free(&r);
    }
    /* the committee's member, and its secretariat, read it whole */
    const char *insiders[] = {s_asu_member, s_trust_secretary};
    for (size_t i = 0; i < 2; i++) {
        r = s_as(insiders[i], "GET", path, NULL);
        harness_expect_status(r, 200);
        s_has_canary(r, "CANARY-CASE-TITLE", "a member's case view");
        s_has_canary(r, "CANARY-VEDTAK", "a member's case view");
        harness_http_response_free(&r);
    }
    /* the public meeting, its notice and calendar: no presenter either */
    const char *docs[] = {"", "/notice.html", "/calendar.ics", "/minutes.html"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "/v1/meetings/%s%s", meeting, docs[i]);
        r = s_as(NULL, "GET", path, NULL);
        s_no_canary(r, "CANARY-PRESENTER", path);
        s_no_canary(r, "CANARY-CASE-TITLE", path);
        harness_http_response_free(&r);
        r = s_as(s_other_member, "GET", path, NULL);
        s_no_canary(r, "CANARY-PRESENTER", path);
        harness_http_response_free(&r);
    }
}

static harness_http_response_t *s_patch_item(const char *meeting, const char *item,
                                             const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", meeting, item);
    return harness_stack_send(&s_stack, "PATCH", path, body);
}

/* The supplementary notice's list of changes never prints the title of an
 * item exempt from public access: not of one retitled and made exempt in
 * one change, not of one whose case document changed before it had a
 * number, not of one made exempt after its change was listed. */
static void test_a_notice_lists_no_exempt_title_among_its_changes(void **state)
{
    char meeting[40], first[40], second[40], third[40], path[200];
    s_meeting(s_asu, "2026-03-05", meeting);
    s_item(meeting, "{\"kind\":\"CASE\",\"title\":\"Godkjenning av innkalling\",\"durationMin\":5}",
           first, NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    s_post(path, 200);

    /* added after the notice, then retitled and made exempt at once */
    s_item(meeting, "{\"kind\":\"CASE\",\"title\":\"CANARY-OLD-TITLE\",\"durationMin\":10}", second,
           NULL);
    harness_http_response_t *r =
        s_patch_item(meeting, second,
                     "{\"title\":\"CANARY-NEW-TITLE\",\"isExempt\":true,\"publicTitle\":\"Sak om "
                     "personal\",\"exemptionBasis\":\"offl. § 13\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* added exempt, its case document written before it has a number */
    s_item(
        meeting,
        "{\"kind\":\"CASE\",\"title\":\"CANARY-DOC-TITLE\",\"durationMin\":10,"
        "\"isExempt\":true,\"publicTitle\":\"Sak om personal\",\"exemptionBasis\":\"offl. § 13\"}",
        third, NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", meeting, third);
    r = harness_stack_send(&s_stack, "PUT", path, "{\"background\":\"CANARY-BACKGROUND\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* a plain one listed, then made exempt before the notice goes out */
    r = s_patch_item(meeting, first, "{\"title\":\"CANARY-LATER-EXEMPT\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = s_patch_item(meeting, first,
                     "{\"isExempt\":true,\"publicTitle\":\"Sak om "
                     "personal\",\"exemptionBasis\":\"offl. § 13\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    const char *canaries[] = {"CANARY-OLD-TITLE", "CANARY-NEW-TITLE", "CANARY-DOC-TITLE",
                              "CANARY-LATER-EXEMPT", "CANARY-BACKGROUND"};
    const char *docs[] = {"", "/notice.html", "/calendar.ics"};
    for (size_t d = 0; d < 3; d++) {
        snprintf(path, sizeof path, "/v1/meetings/%s%s", meeting, docs[d]);
        r = s_as(NULL, "GET", path, NULL);
        harness_expect_status(r, 200);
        for (size_t i = 0; i < 5; i++)
            s_no_canary(r, canaries[i], path);
        if (d == 1)
            s_has_canary(r, "(unntatt offentlighet)", "the notice's changes");
        harness_http_response_free(&r);
    }
}

static harness_http_response_t *s_attempt(const char *key, const char *method, const char *meeting,
                                          const char *rest, const char *body)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/meetings/%s%s", meeting, rest);
    return s_as(key, method, path, body);
}

/* A secretary of another organisation, who runs nothing of ASU, may not
 * act on its meetings: not upload to an exempt item (whose answer carried
 * the case document), lift an exemption, remove an item, publish the
 * notice or replace the attendance. The committee's own secretary and
 * the secretariat that runs it may. */
static void test_a_secretary_acts_only_on_her_committees(void **state)
{
    char meeting[40], item[40], rest[128], path[200];
    s_meeting(s_asu, "2026-04-09", meeting);
    s_item(
        meeting,
        "{\"kind\":\"CASE\",\"title\":\"CANARY-SECRET-ITEM\",\"durationMin\":20,"
        "\"isExempt\":true,\"publicTitle\":\"Sak om personal\",\"exemptionBasis\":\"offl. § 13\"}",
        item, NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", meeting, item);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PUT", path, "{\"background\":\"CANARY-SECRET-DOCUMENT\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    struct {
        const char *method, *rest, *body;
    } changes[] = {
        {"POST", "/items/%s/attachments",
         "{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf\",\"content\":\"JVBERi0=\"}"},
        {"PATCH", "/items/%s", "{\"isExempt\":false}"},
        {"PUT", "/items/%s/document", "{\"background\":\"overwritten\"}"},
        {"DELETE", "/items/%s", NULL},
        {"POST", "/publish", NULL},
        {"PUT", "/attendance", "{\"entries\":[]}"},
        {"PATCH", "", "{\"place\":\"Annet sted\"}"},
        {"POST", "/cancel", "{\"reason\":\"Avlyst\"}"},
    };
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        snprintf(rest, sizeof rest, changes[i].rest, item);
        r = s_attempt(s_other_secretary, changes[i].method, meeting, rest, changes[i].body);
        if (r->status != 403)
            fail_msg("%s %s by another organisation's secretary: %ld", changes[i].method, rest,
                     r->status);
        s_no_canary(r, "CANARY-SECRET-ITEM", rest);
        s_no_canary(r, "CANARY-SECRET-DOCUMENT", rest);
        assert_non_null(strstr(r->body, "secretariat of the organisation that runs it"));
        harness_http_response_free(&r);
        /* a member of the committee may not either */
        r = s_attempt(s_asu_member, changes[i].method, meeting, rest, changes[i].body);
        assert_true(r->status == 403);
        harness_http_response_free(&r);
    }
    /* a meeting of ASU is not hers to make either */
    char body[256];
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2026-05-07T12:00:00+02:00\","
             "\"endTime\":\"2026-05-07T14:00:00+02:00\"}",
             s_asu);
    r = s_as(s_other_secretary, "POST", "/v1/meetings", body);
    harness_expect_status(r, 403);
    harness_http_response_free(&r);

    /* the committee's own secretary (of Verdal, by membership) and the
     * secretariat that runs it (the trust's secretary) act */
    r = s_attempt(s_asu_secretary, "PATCH", meeting, "", "{\"place\":\"Stiklestad\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    snprintf(rest, sizeof rest, "/items/%s/attachments", item);
    r = s_attempt(s_trust_secretary, "POST", meeting, rest,
                  "{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf\","
                  "\"content\":\"JVBERi0=\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = s_as(s_trust_secretary, "POST", "/v1/meetings", body);
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
}

/* Members write to their own committee's crisis log, not to another's. */
static void test_members_log_only_their_own_crisis(void **state)
{
    char path[200], id[40];
    snprintf(path, sizeof path, "/v1/committees/%s/emergencies", s_beredskap);
    harness_stack_create(&s_stack, path, "{\"title\":\"Flom i Innherred\"}", id);
    snprintf(path, sizeof path, "/v1/emergencies/%s/log", id);
    const char *entry = "{\"kind\":\"SITUATION_REPORT\",\"text\":\"Vannet stiger.\"}";
    harness_http_response_t *r = s_as(s_asu_member, "POST", path, entry);
    harness_expect_status(r, 403);
    assert_non_null(strstr(r->body, "committee's members"));
    harness_http_response_free(&r);
    r = s_as(s_other_member, "POST", path, entry);
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = s_as(s_other_secretary, "POST", path, entry);
    harness_expect_status(r, 403);
    harness_http_response_free(&r);
}

/* Whom a person signs in as opens their committees' exempt papers: another
 * organisation's secretariat may not link (or re-link) a person. */
static void test_only_the_persons_own_organisation_links_them(void **state)
{
    char secretariat[80], subject[32], person[40], body[512], path[128];
    s_key(s_levanger, "secretariat", secretariat, subject);
    snprintf(body, sizeof body, "{\"name\":\"Kari Nordmann\",\"organizationId\":\"%s\"}", s_trust);
    harness_stack_create(&s_stack, "/v1/persons", body, person);
    snprintf(body, sizeof body,
             "{\"name\":\"Ola\",\"organizationId\":\"%s\",\"principalSubject\":\"%s\"}", s_trust,
             subject);
    harness_http_response_t *r = s_as(secretariat, "POST", "/v1/persons", body);
    harness_assert_problem(r, 403, "principalSubject");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/persons/%s", person);
    snprintf(body, sizeof body, "{\"principalSubject\":\"%s\"}", subject);
    r = s_as(secretariat, "PATCH", path, body);
    harness_assert_problem(r, 403, "principalSubject");
    harness_http_response_free(&r);
    /* a person of its own organisation it links */
    snprintf(body, sizeof body,
             "{\"name\":\"Ola\",\"organizationId\":\"%s\",\"principalSubject\":\"%s\"}", s_levanger,
             subject);
    r = s_as(secretariat, "POST", "/v1/persons", body);
    harness_expect_status(r, 201);
    harness_http_response_free(&r);
}

/* An attachment's media type goes into a response header: a CR LF in it
 * is refused at the upload, naming the field. */
static void test_an_attachment_type_with_a_line_break_is_refused(void **state)
{
    char meeting[40], item[40], path[200];
    s_meeting(s_asu, "2026-06-04", meeting);
    s_item(meeting, "{\"kind\":\"CASE\",\"title\":\"Vedlegg\",\"durationMin\":5}", item, NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/attachments", meeting, item);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", path,
                           "{\"filename\":\"a.txt\",\"contentType\":\"text/plain; "
                           "a=b\\r\\nX-Injected: 1\",\"content\":\"aGVp\"}");
    harness_assert_problem(r, 400, "contentType");
    harness_http_response_free(&r);
}

/* What a committee decides on an exempt case stays with the committee:
 * the action it gives (and its place in the public follow-up item), and a
 * proposal placed on an item made exempt since. */
static void test_exempt_cases_keep_their_actions_and_proposals(void **state)
{
    char meeting[40], item[40], next[40], path[200], body[512], action[40], proposal[40];
    s_meeting(s_asu, "2026-09-03", meeting);
    s_item(
        meeting,
        "{\"kind\":\"CASE\",\"title\":\"Personalsak\",\"durationMin\":20,"
        "\"isExempt\":true,\"publicTitle\":\"Sak om personal\",\"exemptionBasis\":\"offl. § 25\"}",
        item, NULL);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"itemId\":\"%s\",\"description\":\"CANARY-ACTION\","
             "\"responsible\":\"CANARY-RESPONSIBLE\",\"dueDate\":\"2027-01-01\"}",
             s_asu, item);
    harness_stack_create(&s_stack, "/v1/actions", body, action);
    snprintf(path, sizeof path, "/v1/committees/%s/proposals", s_asu);
    snprintf(body, sizeof body,
             "{\"title\":\"CANARY-PROPOSAL\",\"submitterName\":\"Kari\","
             "\"organizationId\":\"%s\"}",
             s_levanger);
    harness_stack_create(&s_stack, path, body, proposal);
    snprintf(path, sizeof path, "/v1/proposals/%s/accept", proposal);
    snprintf(body, sizeof body, "{\"meetingId\":\"%s\",\"durationMin\":10}", meeting);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
    harness_expect_status(r, 200);
    char placed[40];
    snprintf(placed, sizeof placed, "%s", harness_json_text(r, "itemId"));
    harness_http_response_free(&r);
    r = s_patch_item(meeting, placed,
                     "{\"isExempt\":true,\"publicTitle\":\"Innmeldt sak\","
                     "\"exemptionBasis\":\"offl. § 13\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    /* the next meeting follows the committee's actions up, in public */
    s_meeting(s_asu, "2026-10-01", next);
    snprintf(path, sizeof path, "/v1/meetings/%s/follow-up", next);
    r = harness_stack_send(&s_stack, "POST", path, "{}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    char action_path[128], proposal_path[128], list[128], proposals[128], next_path[128];
    snprintf(action_path, sizeof action_path, "/v1/actions/%s", action);
    snprintf(proposal_path, sizeof proposal_path, "/v1/proposals/%s", proposal);
    snprintf(list, sizeof list, "/v1/actions?committeeId=%s", s_asu);
    snprintf(proposals, sizeof proposals, "/v1/committees/%s/proposals", s_asu);
    snprintf(next_path, sizeof next_path, "/v1/meetings/%s", next);
    const char *paths[] = {action_path, list, proposal_path, proposals, next_path};
    for (size_t i = 0; i < 5; i++) {
        r = s_as(s_other_member, "GET", paths[i], NULL);
        harness_expect_status(r, 200);
        s_no_canary(r, "CANARY-ACTION", paths[i]);
        s_no_canary(r, "CANARY-RESPONSIBLE", paths[i]);
        s_no_canary(r, "CANARY-PROPOSAL", paths[i]);
        harness_http_response_free(&r);
    }
    /* the proposal is named by the public title of the item it became */
    r = s_as(s_other_member, "GET", proposal_path, NULL);
    s_has_canary(r, "Innmeldt sak (unntatt offentlighet)", "the proposal");
    harness_http_response_free(&r);
    r = s_as(s_asu_member, "GET", action_path, NULL);
    s_has_canary(r, "CANARY-ACTION", "a member's action");
    harness_http_response_free(&r);
    /* moved on, an exempt item's action with no one named (an empty field
     * in the event's copy) is blanked for the event as well */
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"itemId\":\"%s\",\"description\":\"Følge opp\"}", s_asu,
             item);
    char bare[40];
    harness_stack_create(&s_stack, "/v1/actions", body, bare);
    snprintf(path, sizeof path, "/v1/actions/%s", bare);
    r = s_as(s_asu_member, "PATCH", path, "{\"status\":\"IN_PROGRESS\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    r = s_as(s_asu_member, "GET", proposal_path, NULL);
    s_has_canary(r, "CANARY-PROPOSAL", "a member's proposal");
    harness_http_response_free(&r);
}

/* An action decided on an exempt item goes by the item's public title to
 * everyone who may not see the item: in the action, the committee's list,
 * the meeting that follows the actions up, and its events (which the
 * reminder digests are made from); the full text to the committee. */
static void test_an_exempt_items_actions_go_by_its_public_title(void **state)
{
    char meeting[40], item[40], next[40], path[200], body[512], action[40];
    s_meeting(s_asu, "2026-11-05", meeting);
    s_item(meeting,
           "{\"kind\":\"CASE\",\"title\":\"Tilsetting av CANARY-NAVN\",\"durationMin\":20,"
           "\"isExempt\":true,\"publicTitle\":\"Sak om tilsetting\","
           "\"exemptionBasis\":\"offl. § 25\"}",
           item, NULL);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"itemId\":\"%s\",\"description\":\"CANARY-TILTAK "
             "for den tilsatte\",\"dueDate\":\"2027-02-01\"}",
             s_asu, item);
    harness_stack_create(&s_stack, "/v1/actions", body, action);
    s_meeting(s_asu, "2026-12-03", next);
    snprintf(path, sizeof path, "/v1/meetings/%s/follow-up", next);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, "{}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);

    char action_path[128], list[128], next_path[128];
    snprintf(action_path, sizeof action_path, "/v1/actions/%s", action);
    snprintf(list, sizeof list, "/v1/actions?committeeId=%s", s_asu);
    snprintf(next_path, sizeof next_path, "/v1/meetings/%s", next);
    const char *paths[] = {action_path, list, next_path};
    for (size_t i = 0; i < 3; i++) {
        r = s_as(s_other_member, "GET", paths[i], NULL);
        harness_expect_status(r, 200);
        s_no_canary(r, "CANARY", paths[i]);
        s_has_canary(r, "Sak om tilsetting (unntatt offentlighet)", paths[i]);
        harness_http_response_free(&r);
    }
    r = s_as(s_other_member, "GET", action_path, NULL);
    assert_string_equal(harness_json_text(r, "description"),
                        "Sak om tilsetting (unntatt offentlighet)");
    assert_string_equal(harness_json_text(r, "publicTitle"), "Sak om tilsetting");
    harness_http_response_free(&r);
    /* the committee's member reads it in full */
    r = s_as(s_asu_member, "GET", action_path, NULL);
    assert_string_equal(harness_json_text(r, "description"), "CANARY-TILTAK for den tilsatte");
    harness_http_response_free(&r);

    /* its event, as the feed gives it to a key that may not see the item */
    bool seen = false;
    for (int tries = 0; tries < 100 && !seen; tries++) {
        r = s_as(s_other_member, "GET", "/v1/events?types=no.samhand.action.&limit=500", NULL);
        harness_expect_status(r, 200);
        s_no_canary(r, "CANARY", "the action's events");
        seen =
            strstr(r->body, action) && strstr(r->body, "Sak om tilsetting (unntatt offentlighet)");
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    if (!seen)
        fail_msg("no event of the action by its public title in the feed");
}

/* The public title an action goes by is the one the last notice gave its
 * item: a public title drafted after the notice reaches no one through the
 * action until the supplementary notice carries it. */
static void test_an_actions_public_title_is_the_last_notices(void **state)
{
    char meeting[40], item[40], path[200], body[512], action[40];
    s_meeting(s_asu, "2027-03-04", meeting);
    s_item(meeting,
           "{\"kind\":\"CASE\",\"title\":\"Tilsetting av CANARY-NAVN\",\"durationMin\":20,"
           "\"isExempt\":true,\"publicTitle\":\"Sak om tilsetting\","
           "\"exemptionBasis\":\"offl. § 25\"}",
           item, NULL);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"itemId\":\"%s\",\"description\":\"CANARY-TILTAK\","
             "\"dueDate\":\"2027-04-01\"}",
             s_asu, item);
    harness_stack_create(&s_stack, "/v1/actions", body, action);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    s_post(path, 200);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", meeting, item);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "PATCH", path, "{\"publicTitle\":\"Sak om ansettelse\"}");
    harness_expect_status(r, 200);
    harness_http_response_free(&r);
    char action_path[128];
    snprintf(action_path, sizeof action_path, "/v1/actions/%s", action);
    r = s_as(s_other_member, "GET", action_path, NULL);
    harness_expect_status(r, 200);
    assert_string_equal(harness_json_text(r, "publicTitle"), "Sak om tilsetting");
    assert_string_equal(harness_json_text(r, "description"),
                        "Sak om tilsetting (unntatt offentlighet)");
    harness_http_response_free(&r);
    /* nor does a search by the drafted public title find the meeting */
    char search[200];
    snprintf(search, sizeof search, "/v1/meetings?committeeId=%s&q=ansettelse", s_asu);
    r = s_as(s_other_member, "GET", search, NULL);
    harness_expect_status(r, 200);
    if (strstr(r->body, meeting))
        fail_msg("a search by a public title drafted after the notice found the meeting");
    harness_http_response_free(&r);
    /* the supplementary notice carries the new one */
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    s_post(path, 200);
    r = s_as(s_other_member, "GET", action_path, NULL);
    assert_string_equal(harness_json_text(r, "publicTitle"), "Sak om ansettelse");
    harness_http_response_free(&r);
    r = s_as(s_other_member, "GET", search, NULL);
    assert_non_null(strstr(r->body, meeting));
    harness_http_response_free(&r);
}

/* Search: meetings by their title, place or an item's title, committees
 * by name; an exempt item's title finds nothing, or the search would tell
 * that a meeting treats it. */
static void test_search_finds_only_what_is_public(void **state)
{
    char meeting[40], item[40], path[256];
    s_meeting(s_asu, "2026-10-15", meeting);
    s_item(meeting,
           "{\"kind\":\"CASE\",\"title\":\"Legevaktsamarbeid i Innherred\","
           "\"durationMin\":20}",
           item, NULL);
    s_item(
        meeting,
        "{\"kind\":\"CASE\",\"title\":\"Oppsigelse av overlege Hansen\",\"durationMin\":10,"
        "\"isExempt\":true,\"publicTitle\":\"Sak om personal\",\"exemptionBasis\":\"offl. § 25\"}",
        item, NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    s_post(path, 200);
    struct {
        const char *q;
        size_t found;
    } searches[] = {{"legevaktsamarbeid", 1},
                    {"INNHERRED", 1},
                    {"overlege Hansen", 0},
                    {"oppsigelse", 0},
                    {"Stjørdal", 0}};
    for (size_t i = 0; i < sizeof searches / sizeof searches[0]; i++) {
        char *q = curl_easy_escape(NULL, searches[i].q, 0);
        snprintf(path, sizeof path, "/v1/meetings?committeeId=%s&q=%s", s_asu, q);
        curl_free(q);
        harness_http_response_t *r = s_as(s_asu_member, "GET", path, NULL);
        harness_expect_status(r, 200);
        size_t n = json_array_size(json_object_get(r->json, "items"));
        if (n != searches[i].found)
            fail_msg("q=%s found %zu meetings, not %zu", searches[i].q, n, searches[i].found);
        harness_http_response_free(&r);
    }
    harness_http_response_t *r = s_as(NULL, "GET", "/v1/committees?q=samarbeidsutv", NULL);
    harness_expect_status(r, 200);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 1);
    harness_http_response_free(&r);
    /* cases by their title: an exempt one only for those with a standing */
    const struct {
        const char *key, *q;
        size_t found;
    } cases[] = {{s_other_member, "legevaktsamarbeid", 1},
                 {s_other_member, "overlege hansen", 0},
                 {s_asu_member, "overlege hansen", 1},
                 {s_trust_secretary, "overlege hansen", 1},
                 {s_other_secretary, "overlege hansen", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = curl_easy_escape(NULL, cases[i].q, 0);
        snprintf(path, sizeof path, "/v1/cases?q=%s", q);
        curl_free(q);
        harness_http_response_t *found = s_as(cases[i].key, "GET", path, NULL);
        harness_expect_status(found, 200);
        size_t n = json_array_size(json_object_get(found->json, "items"));
        if (n != cases[i].found)
            fail_msg("cases q=%s (case %zu) found %zu, not %zu", cases[i].q, i, n, cases[i].found);
        harness_http_response_free(&found);
    }
    /* ASU by its short name, and Beredskaps-ASU by its name */
    r = s_as(NULL, "GET", "/v1/committees?q=asu", NULL);
    assert_int_equal(json_array_size(json_object_get(r->json, "items")), 2);
    harness_http_response_free(&r);
}

/* An exempt item has a public title (issue 18, point 5): required, and
 * what everyone outside the committee reads in its place, in the meeting,
 * its notice as HTML, PDF and calendar, and its events; the committee's
 * member reads both. */
static void test_an_exempt_item_shows_its_public_title_to_the_public(void **state)
{
    char meeting[40], item[40], path[160];
    s_meeting(s_asu, "2026-11-05", meeting);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    const char *norwegian[] = {s_stack.auth_header, "Accept-Language: nb", NULL};
    char url[256];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    harness_http_response_t *r = harness_http_request(
        "POST", url,
        "{\"kind\":\"CASE\",\"title\":\"CANARY-PT-TITLE Tilsetting av Kari Nordmann\","
        "\"durationMin\":10,\"isExempt\":true,\"exemptionBasis\":\"offl. § 25\"}",
        norwegian);
    harness_assert_problem(r, 400, "publicTitle");
    s_has_canary(r, "må fylles ut for en sak unntatt offentlighet", "the problem in bokmål");
    harness_http_response_free(&r);
    s_item(meeting,
           "{\"kind\":\"CASE\",\"title\":\"CANARY-PT-TITLE Tilsetting av Kari Nordmann\","
           "\"durationMin\":10,\"isExempt\":true,\"exemptionBasis\":\"offl. § 25\","
           "\"publicTitle\":\"Sak om tilsetting\"}",
           item, NULL);
    char open[40];
    s_item(meeting, "{\"kind\":\"CASE\",\"title\":\"Budsjett\",\"durationMin\":10}", open, NULL);
    /* made exempt, or kept exempt with its public title emptied: refused */
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", meeting, open);
    r = harness_stack_send(&s_stack, "PATCH", path,
                           "{\"isExempt\":true,\"exemptionBasis\":\"offl. § 13\"}");
    harness_assert_problem(r, 400, "publicTitle");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", meeting, item);
    r = harness_stack_send(&s_stack, "PATCH", path, "{\"publicTitle\":\"\"}");
    harness_assert_problem(r, 400, "publicTitle");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    s_post(path, 200);

    /* the calendar folds its lines: only the start of the public title */
    static const struct {
        const char *document, *shown;
    } documents[] = {{"", "Sak om tilsetting (unntatt offentlighet, offl. § 25)"},
                     {"/notice.html", "Sak om tilsetting (unntatt offentlighet, offl. § 25)"},
                     {"/calendar.ics", "Sak om tilsetting (unntatt offentlighet"}};
    const char *outsiders[] = {NULL, s_other_member, s_other_secretary};
    for (size_t k = 0; k < sizeof outsiders / sizeof outsiders[0]; k++) {
        for (size_t d = 0; d < sizeof documents / sizeof documents[0]; d++) {
            snprintf(path, sizeof path, "/v1/meetings/%s%s", meeting, documents[d].document);
            r = s_as(outsiders[k], "GET", path, NULL);
            harness_expect_status(r, 200);
            s_no_canary(r, "CANARY-PT-TITLE", path);
            s_has_canary(r, documents[d].shown, path);
            harness_http_response_free(&r);
        }
        snprintf(path, sizeof path, "/v1/meetings/%s/notice.pdf", meeting);
        r = s_as(outsiders[k], "GET", path, NULL);
        harness_expect_status(r, 200);
        int status;
        char *text = harness_http_body_through(r, "pdftotext -raw -enc UTF-8 %s - 2>&1", &status);
        assert_int_equal(status, 0);
        if (strstr(text, "CANARY-PT-TITLE") || !strstr(text, "Sak om tilsetting"))
            fail_msg("notice.pdf: %.600s", text);
        free(text);
        harness_http_response_free(&r);
    }
    /* the events every party reads carry the public title */
    bool seen = false;
    for (int i = 0; i < 50 && !seen; i++) {
        r = s_as(s_other_member, "GET", "/v1/events?types=no.samhand.meeting.&limit=500", NULL);
        harness_expect_status(r, 200);
        s_no_canary(r, "CANARY-PT-TITLE", "the events");
        seen = r->body && strstr(r->body, meeting) && strstr(r->body, "Sak om tilsetting");
        harness_http_response_free(&r);
        if (!seen)
            usleep(100 * 1000);
    }
    assert_true(seen);
    /* a search finds the meeting by the public title, not by the title */
    snprintf(path, sizeof path, "/v1/meetings?committeeId=%s&q=sak%%20om%%20tilsetting", s_asu);
    r = s_as(s_other_member, "GET", path, NULL);
    harness_expect_status(r, 200);
    s_has_canary(r, meeting, "a search by the public title");
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings?committeeId=%s&q=kari%%20nordmann", s_asu);
    r = s_as(s_other_member, "GET", path, NULL);
    harness_expect_status(r, 200);
    s_no_canary(r, meeting, "a search by the title");
    harness_http_response_free(&r);
    /* the committee's member reads both */
    snprintf(path, sizeof path, "/v1/meetings/%s", meeting);
    r = s_as(s_asu_member, "GET", path, NULL);
    harness_expect_status(r, 200);
    json_t *first = json_array_get(json_object_get(r->json, "items"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "title")),
                        "CANARY-PT-TITLE Tilsetting av Kari Nordmann");
    assert_string_equal(json_string_value(json_object_get(first, "publicTitle")),
                        "Sak om tilsetting");
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_case_tells_its_exempt_treatment_only_to_the_committee),
        cmocka_unit_test(test_a_notice_lists_no_exempt_title_among_its_changes),
        cmocka_unit_test(test_a_secretary_acts_only_on_her_committees),
        cmocka_unit_test(test_members_log_only_their_own_crisis),
        cmocka_unit_test(test_only_the_persons_own_organisation_links_them),
        cmocka_unit_test(test_an_attachment_type_with_a_line_break_is_refused),
        cmocka_unit_test(test_exempt_cases_keep_their_actions_and_proposals),
        cmocka_unit_test(test_an_exempt_items_actions_go_by_its_public_title),
        cmocka_unit_test(test_an_actions_public_title_is_the_last_notices),
        cmocka_unit_test(test_search_finds_only_what_is_public),
        cmocka_unit_test(test_an_exempt_item_shows_its_public_title_to_the_public),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
