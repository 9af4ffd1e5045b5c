/* The web pages in a real browser, end to end: headless Chromium
 * (Debian's) driven by playwright-core runs one script of tests/e2e a
 * story against the whole stack (deviations, a meeting, operations,
 * committees, follow-up, OpenID Connect sign-in, every page at two sizes,
 * a member's absence and the deputies called on the member's own page),
 * with axe-core on every page state and screenshots kept in
 * Testing/screenshots. This program makes what each story starts from
 * through the API, and runs the provider the pages sign in at. */
#include "harness.h"
#include "harness_jwt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static harness_stack_t s_stack;
/* the OpenID Connect provider the pages sign in at (tests/e2e/test-idp.mjs,
 * run by web-signin.mjs): its port, and its key here (JWKS) and there (PEM) */
static int s_idp_port;
static char s_jwks[256], s_pem[256];

static int s_setup(void **state)
{
    char web[512], issuer[64];
    const char *source = getenv("SAMHAND_SOURCE_DIR");
    snprintf(web, sizeof web, "%s/gateway/web", source ? source : ".");
    setenv("SAMHAND_WEB_DIR", web, 1);

    harness_signer_t *signer = harness_signer_new("RS256", "test-idp");
    char *jwks = harness_jwks(&signer, 1);
    snprintf(s_jwks, sizeof s_jwks, "/tmp/samhand-web-jwks-%d.json", (int)getpid());
    snprintf(s_pem, sizeof s_pem, "/tmp/samhand-web-idp-%d.pem", (int)getpid());
    FILE *f = fopen(s_jwks, "w");
    assert_non_null(f);
    fputs(jwks, f);
    fclose(f);
    free(jwks);
    assert_int_equal(harness_signer_pem(signer, s_pem), 0);
    harness_signer_free(&signer);
    s_idp_port = harness_free_port();
    snprintf(issuer, sizeof issuer, "http://127.0.0.1:%d", s_idp_port);
    setenv("SAMHAND_OIDC_ISSUER", issuer, 1);
    setenv("SAMHAND_OIDC_JWKS", s_jwks, 1);
    setenv("SAMHAND_OIDC_WEB_CLIENT_ID", "samhand-web", 1);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    unlink(s_jwks);
    unlink(s_pem);
    return 0;
}

/* Runs tests/e2e/<script> in node with `env` (NAME='value' …) before
 * it, the base URL and the screenshot folder given; 0 when it passed. */
static int s_browser(const char *script, const char *env)
{
    const char *build = getenv("SAMHAND_BUILD_DIR");
    const char *source = getenv("SAMHAND_SOURCE_DIR");
    char command[2048];
    snprintf(command, sizeof command,
             "BASE_URL='%s' SCREENSHOTS='%s/Testing/screenshots' %s node %s/tests/e2e/%s >&2",
             s_stack.base_url, build ? build : ".", env, source ? source : ".", script);
    return system(command);
}

/* Makes `path` with `body`, keeps the new id in `id`. */
static void s_make(const char *path, const char *body, char id[40])
{
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path, body);
    assert_int_equal(r->status, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    harness_http_response_free(&r);
}

/* An API key named `name` with one role, for an organisation (or none),
 * made through the API as an administrator does; the key into `key`, its
 * subject (a person's principalSubject) into `subject` if wanted. */
static void s_api_key(const char *name, const char *organization_id, const char *role, char key[80],
                      char subject[32])
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"organizationId\":\"%s\",\"roles\":[\"%s\"]}",
             name, organization_id ? organization_id : "", role);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", "/v1/api-keys", body);
    assert_int_equal(r->status, 201);
    snprintf(key, 80, "%s", harness_json_text(r, "key"));
    if (subject)
        snprintf(subject, 32, "%s", harness_json_text(r, "subject"));
    harness_http_response_free(&r);
}

/* An organisation and a reporter's key for it, made through the API. */
static void s_party(const char *name, const char *number, const char *kind, char key[80])
{
    char body[256], org[40], key_name[128];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"organizationNumber\":\"%s\",\"kind\":\"%s\"}",
             name, number, kind);
    s_make("/v1/organizations", body, org);
    snprintf(key_name, sizeof key_name, "Nettsider for %s", name);
    s_api_key(key_name, org, "reporter", key, NULL);
}

static void test_report_and_receive_in_a_browser(void **state)
{
    /* the page itself, with a policy that lets it load only itself */
    harness_http_response_t *r = harness_stack_get(&s_stack, "/");
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->content_type, "text/html"));
    char policy[512];
    assert_non_null(strstr(harness_http_header(r, "content-security-policy", policy, sizeof policy),
                           "script-src 'self'"));
    harness_http_response_free(&r);

    char kommune[80], sykehus[80];
    s_party("Trondheim kommune", "942110464", "MUNICIPALITY", kommune);
    s_party("St. Olavs hospital HF", "883974832", "HOSPITAL_TRUST", sykehus);
    char quality[80], env[512];
    s_api_key("Kvalitet", NULL, "quality", quality, NULL);
    snprintf(env, sizeof env,
             "REPORTER_KEY='%s' RECEIVER_KEY='%s' RECEIVER_NAME='St. Olavs hospital HF' "
             "QUALITY_KEY='%s'",
             kommune, sykehus, quality);
    assert_int_equal(s_browser("web-deviation.mjs", env), 0);
}

/* A committee secretary builds, publishes and reads an agenda with a case
 * document, and records the minutes (a deputy, a decision, an action), in
 * the browser. */
static void test_agenda_in_a_browser(void **state)
{
    char committee[40], leksvik[40], person[40], membership[40], path[160], body[512];
    s_make("/v1/committees",
           "{\"name\":\"Administrativt samarbeidsutvalg\",\"shortName\":\"ASU\",\"kind\":"
           "\"ADMINISTRATIVE\"}",
           committee);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", committee);
    s_make("/v1/organizations",
           "{\"name\":\"Leksvik legekontor\",\"organizationNumber\":\"974575086\",\"kind\":"
           "\"GP_OFFICE\"}",
           leksvik);
    /* the committee's secretary signs in with her own key: as its person,
     * with a membership, she sees the exempt items she puts on the agenda */
    char key[80], subject[32];
    s_api_key("Siri Sekretær", NULL, "secretary", key, subject);
    /* a member, a deputy who comes in the member's place, the secretary */
    static const char *const people[][2] = {
        {"Ola Medlem", "MEMBER"}, {"Per Vara", "DEPUTY"}, {"Siri Sekretær", "SECRETARY"}};
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof body,
                 "{\"name\":\"%s\",\"organizationId\":\"%s\",\"principalSubject\":\"%s\"}",
                 people[i][0], leksvik, i == 2 ? subject : "");
        s_make("/v1/persons", body, person);
        snprintf(body, sizeof body,
                 "{\"personId\":\"%s\",\"role\":\"%s\",\"termFrom\":\"2024-01-01\"}", person,
                 people[i][1]);
        s_make(path, body, membership);
    }
    char env[512];
    snprintf(env, sizeof env, "SECRETARY_KEY='%s' COMMITTEE_NAME='Administrativt samarbeidsutvalg'",
             key);
    assert_int_equal(s_browser("web-meeting.mjs", env), 0);
}

/* An operator sees the queues, an integration owner its subscriptions. */
static void test_operations_in_a_browser(void **state)
{
    char malvik[40], key[80], auth[128], url[256];
    s_make("/v1/organizations",
           "{\"name\":\"Malvik kommune\",\"organizationNumber\":\"939865942\",\"kind\":"
           "\"MUNICIPALITY\"}",
           malvik);
    s_api_key("Fagsystemet", malvik, "integration", key, NULL);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
    const char *headers[] = {auth, NULL};
    snprintf(url, sizeof url, "%s/v1/subscriptions", s_stack.base_url);
    harness_http_response_t *r =
        harness_http_request("POST", url,
                             "{\"url\":\"https://fagsystem.malvik.kommune.no/hendelser\","
                             "\"description\":\"Fagsystemet\"}",
                             headers);
    assert_int_equal(r->status, 201);
    harness_http_response_free(&r);
    char env[512];
    snprintf(env, sizeof env,
             "INTEGRATION_KEY='%s' "
             "SUBSCRIPTION_URL='https://fagsystem.malvik.kommune.no/hendelser'",
             key);
    assert_int_equal(s_browser("web-operations.mjs", env), 0);
}

/* The secretariat keeps a committee and its members and decides on the
 * cases a nurse sent in from outside, in the browser. */
static void test_committees_in_a_browser(void **state)
{
    char frosta[40], trust[40], committee[40], meeting[40], body[512], reporter[80], key[80];
    s_make("/v1/organizations",
           "{\"name\":\"Frosta kommune\",\"organizationNumber\":\"944305483\",\"kind\":"
           "\"MUNICIPALITY\"}",
           frosta);
    /* the partnership's secretariat is the trust's: it runs OSU */
    s_make("/v1/organizations",
           "{\"name\":\"Helse Nord-Trøndelag HF\",\"organizationNumber\":\"983974880\","
           "\"kind\":\"HOSPITAL_TRUST\"}",
           trust);
    snprintf(body, sizeof body,
             "{\"name\":\"Overordnet samarbeidsutvalg\",\"shortName\":\"OSU\",\"kind\":"
             "\"ADMINISTRATIVE\",\"secretariatOrganizationId\":\"%s\"}",
             trust);
    s_make("/v1/committees", body, committee);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"2031-03-05T12:00:00Z\",\"endTime\":"
             "\"2031-03-05T15:00:00Z\",\"place\":\"Rådhuset, Frosta\"}",
             committee);
    s_make("/v1/meetings", body, meeting);
    /* its notice is out: members read it from the committee's page */
    char path[160];
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    harness_http_response_t *r =
        harness_stack_send(&s_stack, "POST", path,
                           "{\"kind\":\"CASE\",\"title\":\"Økonomirapport\","
                           "\"durationMin\":20}");
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    r = harness_stack_send(&s_stack, "POST", path,
                           "{\"kind\":\"CASE\",\"title\":\"Tilsetting av ny samhandlingssjef\","
                           "\"durationMin\":10,\"isExempt\":true,\"publicTitle\":\"Sak om "
                           "personal\",\"exemptionBasis\":\"offl. § 25\"}");
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    s_api_key("Hjemmesykepleien", frosta, "reporter", reporter, NULL);
    s_api_key("Sekretariatet", trust, "secretariat", key, NULL);
    /* a reporter of another organisation: follows none of Frosta's cases */
    char other[80];
    s_api_key("Sykehusets melder", trust, "reporter", other, NULL);
    char env[1024];
    snprintf(env, sizeof env,
             "SECRETARIAT_KEY='%s' REPORTER_KEY='%s' OTHER_REPORTER_KEY='%s' "
             "COMMITTEE_NAME='Overordnet samarbeidsutvalg' MEETING_ID='%s' "
             "ORGANIZATION_NAME='Frosta kommune'",
             key, reporter, other, meeting);
    assert_int_equal(s_browser("web-committee.mjs", env), 0);
}

/* A committee member follows up the committee's actions on a phone. */
static void test_follow_up_in_a_browser(void **state)
{
    char levanger[40], committee[40], id[40], body[512], key[80];
    s_make("/v1/organizations",
           "{\"name\":\"Levanger kommune\",\"organizationNumber\":\"938587051\",\"kind\":"
           "\"MUNICIPALITY\"}",
           levanger);
    s_make("/v1/committees", "{\"name\":\"Fagråd helseberedskap\",\"kind\":\"EXPERT_COUNCIL\"}",
           committee);
    /* number 1 overdue and Levanger's; then more than a page of others */
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"description\":\"Oppdatere beredskapsplanen\","
             "\"responsible\":\"Levanger kommune\",\"responsibleOrganizationIds\":[\"%s\"],"
             "\"dueDate\":\"2025-06-01\"}",
             committee, levanger);
    s_make("/v1/actions", body, id);
    const int others = 52;
    for (int i = 0; i < others; i++) {
        snprintf(body, sizeof body,
                 "{\"committeeId\":\"%s\",\"description\":\"Rutinepunkt %d\",\"dueDate\":"
                 "\"2031-06-01\"}",
                 committee, i + 1);
        s_make("/v1/actions", body, id);
    }
    s_api_key("Medlem fra Levanger", levanger, "member", key, NULL);
    char env[512];
    snprintf(env, sizeof env,
             "MEMBER_KEY='%s' COMMITTEE_NAME='Fagråd helseberedskap' OPEN_ACTIONS=%d", key,
             others + 1);
    assert_int_equal(s_browser("web-followup.mjs", env), 0);
}

/* A nurse signs in with OpenID Connect (authorization code with PKCE) on
 * the pages, and is what her token says: her organisation, her roles. */
static void test_sign_in_with_openid_connect(void **state)
{
    char stjordal[40];
    s_make("/v1/organizations",
           "{\"name\":\"Stjørdal kommune\",\"organizationNumber\":\"970542507\",\"kind\":"
           "\"MUNICIPALITY\"}",
           stjordal);
    /* how the pages may sign in */
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/sign-in");
    assert_int_equal(r->status, 200);
    json_t *oidc = json_object_get(r->json, "openIdConnect");
    assert_string_equal(json_string_value(json_object_get(oidc, "clientId")), "samhand-web");
    char want[128];
    snprintf(want, sizeof want, "http://127.0.0.1:%d/connect/token", s_idp_port);
    assert_string_equal(json_string_value(json_object_get(oidc, "tokenEndpoint")), want);
    harness_http_response_free(&r);
    /* and the pages may reach the token endpoint, nothing else outside */
    r = harness_stack_get(&s_stack, "/utvalg.html");
    char policy[512];
    snprintf(want, sizeof want, "connect-src 'self' http://127.0.0.1:%d;", s_idp_port);
    assert_non_null(
        strstr(harness_http_header(r, "content-security-policy", policy, sizeof policy), want));
    harness_http_response_free(&r);

    char env[768];
    snprintf(env, sizeof env,
             "IDP_PORT=%d IDP_KEY_PEM='%s' IDP_KID=test-idp CLIENT_ID=samhand-web "
             "ORG_NUMBER=970542507 ORG_NAME='Stjørdal kommune'",
             s_idp_port, s_pem);
    assert_int_equal(s_browser("web-signin.mjs", env), 0);
}

/* Every page at both sizes, as an administrator who is offered them all;
 * more reports than a page of the list holds, to page through. */
static void test_every_page_at_both_sizes(void **state)
{
    char selbu[40], legesenter[40], id[40], body[768];
    s_make("/v1/organizations",
           "{\"name\":\"Selbu kommune\",\"organizationNumber\":\"964982953\",\"kind\":"
           "\"MUNICIPALITY\"}",
           selbu);
    s_make("/v1/organizations",
           "{\"name\":\"Selbu legesenter\",\"organizationNumber\":\"921034547\",\"kind\":"
           "\"GP_OFFICE\"}",
           legesenter);
    for (int i = 0; i < 51; i++) {
        snprintf(body, sizeof body,
                 "{\"reportingOrganizationId\":\"%s\",\"receivingOrganizationId\":\"%s\","
                 "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"type\":\"BREACH_OF_AGREEMENT\","
                 "\"categoryCode\":\"SAM-EPIKRISE\",\"description\":\"Henvisning nr. %d kom "
                 "ikke fram.\",\"harmDegree\":\"MINOR\",\"submit\":true}",
                 legesenter, selbu, i + 1);
        s_make("/v1/deviations", body, id);
    }
    char key[80], env[256];
    s_api_key("Drift", NULL, "administrator", key, NULL);
    snprintf(env, sizeof env, "ADMIN_KEY='%s'", key);
    assert_int_equal(s_browser("web-pages.mjs", env), 0);
}

/* A person of `org` with a personal member's key (into `key`), on the
 * committee as `role` with `extra` JSON fields; the person's id into `id`. */
static void s_member(const char *name, const char *org, const char *committee, const char *role,
                     const char *extra, char key[80], char id[40])
{
    char subject[32], body[512], path[160];
    s_api_key(name, org, "member", key, subject);
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"organizationId\":\"%s\",\"principalSubject\":\"%s\"}", name, org,
             subject);
    s_make("/v1/persons", body, id);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", committee);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"%s\",\"termFrom\":\"2020-01-01\"%s}", id, role,
             extra);
    char membership[40];
    s_make(path, body, membership);
}

/* Issue 18's story on the pages: a member reports absence on her own
 * page, the first deputy declines, the second accepts, and the minutes
 * show the second deputy for that member; her declaration of possible
 * disqualification, decided by the secretary, is in them too. */
static void test_absence_and_deputies_on_the_members_page(void **state)
{
    char orkland[40], committee[40], meeting[40], kari[40], dag1[40], dag2[40], item[40];
    char kari_key[80], dag1_key[80], dag2_key[80], body[768], path[200], extra[160];
    s_make("/v1/organizations",
           "{\"name\":\"Orkland kommune\",\"organizationNumber\":\"944117784\",\"kind\":"
           "\"MUNICIPALITY\"}",
           orkland);
    s_make("/v1/committees",
           "{\"name\":\"Samarbeidsutvalget i Orkland\",\"shortName\":\"SUO\","
           "\"kind\":\"ADMINISTRATIVE\",\"noticePeriodDays\":0}",
           committee);
    s_member("Kari Nordmann", orkland, committee, "MEMBER", "", kari_key, kari);
    snprintf(extra, sizeof extra, ",\"deputyForPersonId\":\"%s\",\"deputyRank\":1", kari);
    s_member("Dag En", orkland, committee, "DEPUTY", extra, dag1_key, dag1);
    snprintf(extra, sizeof extra, ",\"deputyForOrganizationId\":\"%s\",\"deputyRank\":2", orkland);
    s_member("Dag To", orkland, committee, "DEPUTY", extra, dag2_key, dag2);
    /* a meeting soon enough that its minutes can be written after the browser */
    time_t start = time(NULL) + 120, end = start + 3600;
    char from[32], to[32], title[160];
    struct tm tm;
    gmtime_r(&start, &tm);
    strftime(from, sizeof from, "%Y-%m-%dT%H:%M:%SZ", &tm);
    gmtime_r(&end, &tm);
    strftime(to, sizeof to, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"startTime\":\"%s\",\"endTime\":\"%s\","
             "\"place\":\"Orkanger rådhus\"}",
             committee, from, to);
    s_make("/v1/meetings", body, meeting);
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    harness_http_response_t *r = harness_stack_send(&s_stack, "POST", path,
                                                    "{\"kind\":\"CASE\",\"title\":\"Tilsetting av "
                                                    "fagrådsleder\",\"durationMin\":30}");
    assert_int_equal(r->status, 200);
    snprintf(item, sizeof item, "%s",
             json_string_value(
                 json_object_get(json_array_get(json_object_get(r->json, "items"), 0), "id")));
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/publish", meeting);
    r = harness_stack_send(&s_stack, "POST", path, NULL);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);

    /* the heading the page gives it, in Oslo time */
    setenv("TZ", "Europe/Oslo", 1);
    tzset();
    char day[16], a[8], b[8];
    localtime_r(&start, &tm);
    strftime(day, sizeof day, "%d.%m.%Y", &tm);
    strftime(a, sizeof a, "%H.%M", &tm);
    localtime_r(&end, &tm);
    strftime(b, sizeof b, "%H.%M", &tm);
    snprintf(title, sizeof title, "Samarbeidsutvalget i Orkland %s kl. %s–%s", day, a, b);
    char secretary_key[80], env[1024];
    s_api_key("Sekretær i Orkland", NULL, "administrator", secretary_key, NULL);
    snprintf(env, sizeof env,
             "KARI_KEY='%s' DAG1_KEY='%s' DAG2_KEY='%s' SECRETARY_KEY='%s' "
             "COMMITTEE_NAME='Samarbeidsutvalget i Orkland' MEETING_TITLE='%s'",
             kari_key, dag1_key, dag2_key, secretary_key, title);
    assert_int_equal(s_browser("web-members.mjs", env), 0);

    /* once the meeting has begun: the minutes show the second deputy for Kari */
    while (time(NULL) <= start)
        sleep(1);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", meeting, item);
    r = harness_stack_send(&s_stack, "PUT", path, "{\"outcome\":\"NOTED\"}");
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/minutes.html", meeting);
    r = harness_stack_get(&s_stack, path);
    assert_int_equal(r->status, 200);
    assert_non_null(strstr(r->body, "<p>Vara: Dag To (for Kari Nordmann)</p>"));
    assert_non_null(strstr(r->body, "<p>Forfall: Kari Nordmann</p>"));
    assert_null(strstr(r->body, "Dag En"));
    assert_null(strstr(r->body, "Sykdom i familien"));
    /* and that she stepped out of the case as the secretary decided, not why */
    assert_non_null(strstr(r->body, "Kari Nordmann ble funnet inhabil"));
    assert_null(strstr(r->body, "Søsteren"));
    harness_http_response_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_and_receive_in_a_browser),
        cmocka_unit_test(test_agenda_in_a_browser),
        cmocka_unit_test(test_operations_in_a_browser),
        cmocka_unit_test(test_committees_in_a_browser),
        cmocka_unit_test(test_follow_up_in_a_browser),
        cmocka_unit_test(test_sign_in_with_openid_connect),
        cmocka_unit_test(test_every_page_at_both_sizes),
    };
    /* the members' story waits for its meeting to begin: a test of its
     * own (e2e_members, SAMHAND_E2E_STORY=members), so neither runs long */
    const struct CMUnitTest members[] = {
        cmocka_unit_test(test_absence_and_deputies_on_the_members_page),
    };
    const char *story = getenv("SAMHAND_E2E_STORY");
    if (story && strcmp(story, "members") == 0)
        return cmocka_run_group_tests(members, s_setup, s_teardown);
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
