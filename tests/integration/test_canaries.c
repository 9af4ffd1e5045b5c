/* Only what you may see, proven by canaries: a small partnership built
 * through the API (three organisations, committees with exempt items on
 * published meetings with case documents, attachments, outcomes and
 * approved minutes, deviations in every state with drafts and anonymous
 * reports, persons, proposals, actions, an emergency, subscriptions with
 * real receivers) where every field some principal may not see holds a
 * unique canary ("CANARY-<what>"). Then every principal (no credential,
 * each role of each organisation, committee members and a non-member by
 * their personal keys, a revoked key) calls every GET route of the route
 * table with every id there is, reads the feed, the stream, its webhooks
 * and mails, and tries changes it may and may not make; no canary it may
 * not see may be in any byte it got, headers included. A GET route of the
 * table that no principal got an answer from fails the test: a new route
 * is added here. Each leak is printed as principal, channel, canary. */
#include "harness.h"
#include "gateway_policy.h"
#include "gateway_routes.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define NOBODY "44444444-4444-4444-8444-444444444444" /* an id of nothing */

static harness_stack_t s_stack;
static harness_smtp_t *s_smtp;

/* ------------------------------------------------------------- the ids */

typedef enum {
    K_ORG,
    K_KEY,
    K_PERSON,
    K_COMMITTEE,
    K_MEMBERSHIP,
    K_MEETING,
    K_ITEM,
    K_ATTACHMENT,
    K_CASE,
    K_ACTION,
    K_PROPOSAL,
    K_EMERGENCY,
    K_DEVIATION,
    K_SUBSCRIPTION,
    K_N
} s_kind_t;

/* which kind of id a {parameter} takes, by the path segment before it */
static const struct {
    const char *segment;
    s_kind_t kind;
} s_segments[] = {
    {"organizations", K_ORG},
    {"api-keys", K_KEY},
    {"persons", K_PERSON},
    {"committees", K_COMMITTEE},
    {"memberships", K_MEMBERSHIP},
    {"meetings", K_MEETING},
    {"items", K_ITEM},
    {"attachments", K_ATTACHMENT},
    {"cases", K_CASE},
    {"actions", K_ACTION},
    {"proposals", K_PROPOSAL},
    {"emergencies", K_EMERGENCY},
    {"deviations", K_DEVIATION},
    {"subscriptions", K_SUBSCRIPTION},
};

#define MAX_IDS 96
static char s_ids[K_N][MAX_IDS][40];
static char s_parents[K_N][MAX_IDS][40]; /* an item's meeting, a membership's committee */
static size_t s_n_ids[K_N];

static void s_id_in(s_kind_t kind, const char *id, const char *parent)
{
    if (!id || strlen(id) != 36)
        return;
    size_t i = 0;
    while (i < s_n_ids[kind] && strcmp(s_ids[kind][i], id) != 0)
        i++;
    if (i == s_n_ids[kind]) {
        assert_true(s_n_ids[kind] < MAX_IDS);
        snprintf(s_ids[kind][s_n_ids[kind]++], 40, "%s", id);
    }
    if (parent)
        snprintf(s_parents[kind][i], 40, "%s", parent);
}

static void s_id(s_kind_t kind, const char *id)
{
    s_id_in(kind, id, NULL);
}

/* ---------------------------------------------------------- the canaries */

typedef enum {
    A_KEY,      /* any valid credential (drafts of meetings, actions, the crisis log) */
    A_EXEMPT,   /* exempt content of a committee: its members, administrators, its secretariat */
    A_PERSONS,  /* persons' data: those who may read /v1/persons */
    A_DEV,      /* a deviation: its organisations, quality, administrators */
    A_DRAFT,    /* a drafted deviation: its reporting organisation (and administrators) */
    A_ANON,     /* an anonymous reporter: the reporting organisation, the partnership's quality */
    A_SUB,      /* a subscription: its owner organisation, administrators */
    A_ADMIN,    /* API keys' names: administrators (and the key itself) */
    A_SENDER,   /* a proposal's submitter: those who read persons, the organisation it is for */
    A_RUNS,     /* drafted after a notice: those who run the committee (not its members) */
    A_ANALYSIS, /* a joint analysis: its two parties, the partnership's quality and administrators
                 */
} s_audience_t;

static const char *const s_audience_names[] = {"any key",
                                               "exempt",
                                               "persons",
                                               "deviation",
                                               "draft",
                                               "anonymous reporter",
                                               "subscription",
                                               "administrators",
                                               "proposal's sender",
                                               "secretariat's draft",
                                               "joint analysis"};

typedef struct {
    char token[80]; /* lower case, as the scan finds it */
    s_audience_t audience;
    unsigned orgs;      /* bits of s_orgs: the parties of a deviation, a subscription's owner */
    unsigned committee; /* bit of the committee, for A_EXEMPT */
    int self;           /* a principal that may see it anyway (its own key's name), or -1 */
    bool is_late;       /* made after the revoked key was refused */
    size_t seen;        /* by a principal that may: the canary is not out of reach */
} s_canary_t;

#define MAX_CANARIES 256
static s_canary_t s_canaries[MAX_CANARIES];
static size_t s_n_canaries;
static bool s_late; /* the revoked key is refused from here on */

/* Registers "CANARY-<what>" (or "canary-<what>" for e-mail addresses, which
 * `lower` asks for) and returns it (static storage). */
static const char *s_canary_as(bool lower, s_audience_t audience, unsigned orgs, unsigned committee,
                               int self, const char *what)
{
    assert_true(s_n_canaries < MAX_CANARIES);
    s_canary_t *c = &s_canaries[s_n_canaries++];
    snprintf(c->token, sizeof c->token, "canary-%s", what);
    for (char *p = c->token; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    for (size_t i = 0; i + 1 < s_n_canaries; i++)
        assert_string_not_equal(s_canaries[i].token, c->token);
    c->audience = audience;
    c->orgs = orgs;
    c->committee = committee;
    c->self = self;
    c->is_late = s_late;
    static char texts[MAX_CANARIES][96];
    char *text = texts[s_n_canaries - 1];
    snprintf(text, 96, "%s%s", lower ? "canary-" : "CANARY-", c->token + 7);
    return text;
}

static const char *s_canary(s_audience_t audience, unsigned orgs, unsigned committee,
                            const char *what)
{
    return s_canary_as(false, audience, orgs, committee, -1, what);
}

static const s_canary_t *s_find_canary(const char *token)
{
    for (size_t i = 0; i < s_n_canaries; i++)
        if (strcmp(s_canaries[i].token, token) == 0)
            return &s_canaries[i];
    return NULL;
}

/* --------------------------------------------------------- the principals */

enum { H, M1, M2, N_ORGS };
static const char *const s_org_names[] = {"H", "M1", "M2"};
static const char *const s_domains[] = {"h", "m1", "m2"}; /* their e-mail: @h.example */
static char s_orgs[N_ORGS][40];
#define ORG(i) (1u << (i))

enum { C1, C2, C3, N_COMMITTEES };
static char s_committees[N_COMMITTEES][40];
static const int s_runner[N_COMMITTEES] = {H, M1, H}; /* whose secretariat runs it */
#define COMMITTEE(i) (1u << (i))

static const char *const s_roles[] = {"administrator", "secretariat", "secretary",  "member",
                                      "reporter",      "quality",     "integration"};
#define N_ROLES (sizeof s_roles / sizeof s_roles[0])

typedef struct {
    char name[64];
    char key[80];   /* the API key, "" for none */
    char auth[128]; /* "Authorization: Bearer ...", "" for none */
    char key_id[40];
    char subject[32];
    int org; /* -1: none */
    unsigned roles;
    unsigned committees; /* a person with a membership of these today */
    unsigned chairs;     /* ... as their secretary, chair or vice chair */
    bool is_env_admin, is_revoked;
    bool is_early_only; /* a channel of a key since revoked: nothing made after that */
    bool is_caller;     /* calls the routes (mailboxes and receivers do not) */
} s_principal_t;

#define MAX_PRINCIPALS 48
static s_principal_t s_principals[MAX_PRINCIPALS];
static size_t s_n_principals;

static int s_principal_new(const char *name, int org, unsigned roles)
{
    assert_true(s_n_principals < MAX_PRINCIPALS);
    s_principal_t *p = &s_principals[s_n_principals];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->org = org;
    p->roles = roles;
    return (int)s_n_principals++;
}

/* the principals that call, by index */
static int s_org_key[N_ORGS][N_ROLES]; /* each role of each organisation */
static int s_admin, s_anonymous, s_p1, s_p2, s_p3, s_p4, s_revoked, s_partnership_quality;
/* who reads a channel: mailboxes, the revoked key's subscription */
static int s_mailbox_org[N_ORGS], s_mailbox_shared[N_ORGS], s_mailbox_x1, s_revoked_channel;

/* Whether `p` may see `c` on a channel; `is_event` for the feed, the
 * stream and webhooks, whose events of an anonymous report carry no
 * reporter's name or e-mail for anyone (README). */
static bool s_may_see(const s_principal_t *p, const s_canary_t *c, bool is_event)
{
    if (is_event && c->audience == A_ANON)
        return false;
    /* who reported anonymously: no role of a receiving organisation, nor
     * an administrator; the reporting side and the partnership's own
     * quality staff (a quality key for no party) alone (issue 19) */
    if (c->audience == A_ANON)
        return !p->is_revoked && (p->auth[0] || !p->is_caller) &&
               ((p->org >= 0 && (c->orgs & ORG(p->org))) ||
                (p->org < 0 && p->roles == ROLE_QUALITY));
    if (p->is_early_only && c->is_late)
        return false;
    if (c->self >= 0 && &s_principals[c->self] == p && !p->is_revoked)
        return true;
    if (p->is_revoked || (!p->auth[0] && p->is_caller && !p->is_env_admin))
        return false; /* no credential: only what is public, and no canary is */
    if (p->is_env_admin)
        return true;
    bool party = p->org >= 0 && (c->orgs & ORG(p->org));
    switch (c->audience) {
    case A_KEY:
        return true;
    case A_EXEMPT:
    case A_RUNS: {
        /* administrators; the secretariat and secretaries of the
         * organisation that runs the committee; its secretary and chairs;
         * of what is exempt, its members too */
        bool runs = false;
        for (int k = 0; k < N_COMMITTEES; k++)
            runs |= (c->committee & COMMITTEE(k)) && p->org == s_runner[k] &&
                    (p->roles & (ROLE_SECRETARIAT | ROLE_SECRETARY));
        unsigned members = c->audience == A_EXEMPT ? p->committees : p->chairs;
        return (p->roles & ROLE_ADMINISTRATOR) || runs || (members & c->committee);
    }
    case A_PERSONS:
        return (p->roles & gateway_policy_roles("agenda.ListPersons")) != 0;
    case A_SENDER: /* who follows a proposal sees whom it came from */
        return party || (p->roles & gateway_policy_roles("agenda.ListPersons")) != 0;
    case A_DEV:
        return party || (p->roles & (ROLE_ADMINISTRATOR | ROLE_QUALITY));
    case A_ANON:
        return false; /* above */
    case A_ANALYSIS:  /* not another organisation's quality or administrators (issue 19) */
        return party || (p->org < 0 && (p->roles & (ROLE_ADMINISTRATOR | ROLE_QUALITY)));
    case A_DRAFT: /* "seen by its reporter only" (issue 12), not quality's as the README has it */
    case A_SUB:
        return party || (p->roles & ROLE_ADMINISTRATOR);
    case A_ADMIN:
        return (p->roles & ROLE_ADMINISTRATOR) != 0;
    }
    return false;
}

/* ---------------------------------------------------------------- leaks */

typedef struct {
    int principal;
    char channel[160]; /* "GET /v1/cases/{id}", "feed", "webhook", "mail" */
    char where[300];   /* the first request that showed it */
    char canary[80];
} s_leak_t;

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER; /* readers run side by side */
static size_t s_route_calls[256], s_route_ok[256];

#define MAX_LEAKS 4096
static s_leak_t s_leaks[MAX_LEAKS];
static size_t s_n_leaks;
static size_t s_n_checked; /* answers and messages scanned */

static void s_leak(int principal, const char *channel, const char *where, const char *canary)
{
    for (size_t i = 0; i < s_n_leaks; i++)
        if (s_leaks[i].principal == principal && strcmp(s_leaks[i].channel, channel) == 0 &&
            strcmp(s_leaks[i].canary, canary) == 0)
            return;
    if (s_n_leaks == MAX_LEAKS)
        return;
    s_leak_t *l = &s_leaks[s_n_leaks++];
    l->principal = principal;
    snprintf(l->channel, sizeof l->channel, "%s", channel);
    snprintf(l->where, sizeof l->where, "%s", where);
    snprintf(l->canary, sizeof l->canary, "%s", canary);
}

/* An exempt item's public title (its own word, not a canary: everyone may
 * read it), and the channels where the anonymous principal, or any reader
 * of events (which carry the public view), read one: it must stand where
 * the full title is kept from them. */
#define PUBLIC_TITLE "OFFENTLIG"
static const char *const s_public_channels[] = {"GET /v1/meetings/{id}",
                                                "GET /v1/meetings/{id}/notice.html",
                                                "GET /v1/meetings/{id}/notice.pdf",
                                                "GET /v1/meetings/{id}/calendar.ics",
                                                "GET /v1/events (feed)",
                                                "webhook"};
#define N_PUBLIC_CHANNELS (sizeof s_public_channels / sizeof s_public_channels[0])
static size_t s_public_seen[N_PUBLIC_CHANNELS];

static bool s_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

/* Scans `bytes` for canaries `principal` may not see, for secrets
 * (whsec_...) and for API keys other than its own; `allowed` is text whose
 * canaries are the reader's own (a mail's recipient). */
static void s_scan(int principal, const char *channel, const char *where, const char *bytes,
                   const char *allowed)
{
    if (!bytes)
        return;
    bool is_event = strstr(channel, "/v1/events") || strcmp(channel, "webhook") == 0;
    pthread_mutex_lock(&s_lock);
    s_n_checked++;
    const s_principal_t *p = &s_principals[principal];
    /* iCalendar folds long lines: unfold before looking */
    size_t len = strlen(bytes);
    char *text = malloc(len + 1), *out = text;
    for (const char *in = bytes; *in;) {
        if (in[0] == '\r' && in[1] == '\n' && (in[2] == ' ' || in[2] == '\t'))
            in += 3;
        else
            *out++ = *in++;
    }
    *out = '\0';
    for (size_t i = 0; i < N_PUBLIC_CHANNELS; i++)
        if ((principal == s_anonymous || is_event) && strcmp(channel, s_public_channels[i]) == 0 &&
            strstr(text, "Sak om tilsetting " PUBLIC_TITLE "-"))
            s_public_seen[i]++;
    for (const char *at = strcasestr(text, "canary-"); at; at = strcasestr(at + 7, "canary-")) {
        char token[80];
        size_t n = 0;
        for (const char *q = at; s_token_char(*q) && n + 1 < sizeof token; q++)
            token[n++] = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
        token[n] = '\0';
        if (allowed && strcasestr(allowed, token))
            continue;
        s_canary_t *c = (s_canary_t *)s_find_canary(token);
        if (c) {
            if (!s_may_see(p, c, is_event))
                s_leak(principal, channel, where, token);
            else
                c->seen++;
            continue;
        }
        /* a canary cut short (the start of an answer): any it may be */
        for (size_t i = 0; n > 12 && i < s_n_canaries; i++)
            if (strncmp(s_canaries[i].token, token, n) == 0 &&
                !s_may_see(p, &s_canaries[i], is_event)) {
                char cut[96];
                snprintf(cut, sizeof cut, "%s (cut short)", s_canaries[i].token);
                s_leak(principal, channel, where, cut);
            }
    }
    /* a webhook secret is shown once, in the answer that makes it (never scanned) */
    if (strstr(text, "whsec_"))
        s_leak(principal, channel, where, "a webhook secret (whsec_...)");
    for (const char *at = strstr(text, "shk_"); at; at = strstr(at + 4, "shk_")) {
        size_t hex = strspn(at + 4, "0123456789abcdef");
        if (hex >= 32 && !(p->key[0] && strncmp(at, p->key, 4 + hex) == 0))
            s_leak(principal, channel, where, "an API key (shk_...)");
    }
    pthread_mutex_unlock(&s_lock);
    free(text);
}

/* ---------------------------------------------------------------- calls */

/* The text of a PDF answer as pdftotext reads it; NULL for another
 * answer. The caller frees it. */
static char *s_pdf_text(const harness_http_response_t *r)
{
    if (strncmp(r->content_type, "application/pdf", 15) != 0 || r->body_len == 0)
        return NULL;
    int status;
    char *text = harness_http_body_through(r, "pdftotext -raw -enc UTF-8 %s - 2>&1", &status);
    /* a line broken after a hyphen, inside a canary, joined again */
    size_t j = 0;
    for (size_t i = 0; text[i]; i++)
        if (!(text[i] == '\n' && j > 0 && text[j - 1] == '-'))
            text[j++] = text[i];
    text[j] = '\0';
    if (status != 0)
        fail_msg("pdftotext could not read %s: %s", r->content_type, text);
    return text;
}

/* One request as `principal`; the answer is scanned under `channel`. */
static harness_http_response_t *s_call(int principal, const char *channel, const char *method,
                                       const char *path, const char *body, const char *extra_header)
{
    char url[1024], where[600];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const s_principal_t *p = &s_principals[principal];
    const char *headers[3] = {NULL, NULL, NULL};
    size_t n = 0;
    if (p->auth[0])
        headers[n++] = p->auth;
    if (extra_header)
        headers[n++] = extra_header;
    harness_http_response_t *r = harness_http_request(method, url, body, headers);
    snprintf(where, sizeof where, "%s %s -> %ld", method, path, r->status);
    s_scan(principal, channel, where, r->headers, NULL);
    s_scan(principal, channel, where, r->body, NULL);
    char *pdf_text = s_pdf_text(r); /* the body's text is compressed */
    s_scan(principal, channel, where, pdf_text, NULL);
    free(pdf_text);
    return r;
}

/* ------------------------------------------------------------ building */

/* As the environment's administrator; the answer must be `status`. */
static harness_http_response_t *s_admin_send(const char *method, const char *path, const char *body,
                                             long status)
{
    harness_http_response_t *r = harness_stack_send(&s_stack, method, path, body);
    if (r->status != status)
        fprintf(stderr, "building: %s %s: %ld %s\n", method, path, r->status, r->body);
    assert_int_equal(r->status, status);
    return r;
}

/* As a principal, for building; the answer must be `status`. */
static harness_http_response_t *s_as(int principal, const char *method, const char *path,
                                     const char *body, long status)
{
    char url[1024];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {s_principals[principal].auth, NULL};
    harness_http_response_t *r = harness_http_request(method, url, body, headers);
    if (r->status != status)
        fprintf(stderr, "building as %s: %s %s: %ld %s\n", s_principals[principal].name, method,
                path, r->status, r->body);
    assert_int_equal(r->status, status);
    return r;
}

static void s_create(const char *path, const char *body, s_kind_t kind, char id[40])
{
    harness_stack_create(&s_stack, path, body, id);
    s_id(kind, id);
}

/* An API key of `org` with `roles` ("quality" or "quality\",\"integration"),
 * as a principal that calls. */
static int s_key(const char *name, int org, const char *roles_json, unsigned roles)
{
    int i = s_principal_new(name, org, roles);
    s_principal_t *p = &s_principals[i];
    p->is_caller = true;
    char what[80], body[512];
    snprintf(what, sizeof what, "keyname-%s", name);
    for (char *c = what; *c; c++)
        if (!s_token_char(*c))
            *c = '-';
    const char *label = s_canary_as(false, A_ADMIN, 0, 0, i, what);
    snprintf(body, sizeof body,
             "{\"name\":\"%s Fagsystem\",\"organizationId\":\"%s\",\"roles\":[\"%s\"]}", label,
             org >= 0 ? s_orgs[org] : "", roles_json);
    harness_http_response_t *r = s_admin_send("POST", "/v1/api-keys", body, 201);
    snprintf(p->key, sizeof p->key, "%s", harness_json_text(r, "key"));
    snprintf(p->key_id, sizeof p->key_id, "%s", harness_json_text(r, "id"));
    snprintf(p->subject, sizeof p->subject, "%s", harness_json_text(r, "subject"));
    snprintf(p->auth, sizeof p->auth, "Authorization: Bearer %s", harness_json_text(r, "key"));
    s_id(K_KEY, p->key_id);
    harness_http_response_free(&r);
    return i;
}

/* A person signing in with principal `i`'s key, member of `committee`
 * (-1: none) as `role`. */
static void s_person_of(int i, const char *name, const char *email, int committee, const char *role)
{
    s_principal_t *p = &s_principals[i];
    char body[512], id[40], path[128];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"organizationId\":\"%s\",\"principalSubject\":\"%s\"%s%s%s}", name,
             s_orgs[p->org], p->subject, email ? ",\"email\":\"" : "", email ? email : "",
             email ? "\"" : "");
    s_create("/v1/persons", body, K_PERSON, id);
    if (committee >= 0) {
        snprintf(path, sizeof path, "/v1/committees/%s/memberships", s_committees[committee]);
        snprintf(body, sizeof body,
                 "{\"personId\":\"%s\",\"role\":\"%s\",\"termFrom\":\"2020-01-01\"}", id, role);
        char membership[40];
        s_create(path, body, K_MEMBERSHIP, membership);
        s_id_in(K_MEMBERSHIP, membership, s_committees[committee]);
        p->committees |= COMMITTEE(committee);
        if (strcmp(role, "MEMBER") != 0)
            p->chairs |= COMMITTEE(committee);
    }
}

static void s_base64(const char *text, char *out)
{
    EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)text, (int)strlen(text));
}

static char s_m1a[40], s_m2a[40], s_m2b[40], s_m1d[40];
static char s_e1[40], s_e1b[40], s_i3[40], s_e2[40], s_e3[40];
static char s_emergency[40], s_action[40], s_proposal_declined[40];
static char s_subscription[N_ORGS][40], s_subscription_revoked[40];
static char s_dev_oracle[40], s_dev_foreign[40], s_dev_late[40], s_dev_marker[40];
static char s_marker_org[40];

/* Adds an item; returns its id (the item the answer has last, or at `position`). */
static void s_item(const char *meeting, const char *body, char id[40])
{
    char path[128];
    snprintf(path, sizeof path, "/v1/meetings/%s/items", meeting);
    harness_http_response_t *r = s_admin_send("POST", path, body, 200);
    json_t *items = json_object_get(r->json, "items");
    /* the new item: the one whose id we have not seen */
    size_t i;
    json_t *item;
    id[0] = '\0';
    json_array_foreach(items, i, item)
    {
        const char *candidate = json_string_value(json_object_get(item, "id"));
        bool known = false;
        for (size_t k = 0; k < s_n_ids[K_ITEM]; k++)
            known = known || strcmp(s_ids[K_ITEM][k], candidate) == 0;
        if (!known)
            snprintf(id, 40, "%s", candidate);
    }
    assert_int_equal(strlen(id), 36);
    s_id_in(K_ITEM, id, meeting);
    harness_http_response_free(&r);
}

static void s_meeting(int committee, const char *start, const char *end, char id[40])
{
    char body[512];
    snprintf(
        body, sizeof body,
        "{\"committeeId\":\"%s\",\"startTime\":\"%s\",\"endTime\":\"%s\",\"place\":\"Rådhuset\"}",
        s_committees[committee], start, end);
    s_create("/v1/meetings", body, K_MEETING, id);
}

static void s_meeting_step(const char *method, const char *meeting, const char *step,
                           const char *body)
{
    char path[200];
    snprintf(path, sizeof path, "/v1/meetings/%s/%s", meeting, step);
    harness_http_response_t *r = s_admin_send(method, path, body, 200);
    harness_http_response_free(&r);
}

/* An exempt case with every field a canary of `committee`: title,
 * description, presenter, case document, attachment, and returns the item. */
static void s_exempt_case(int committee, const char *meeting, const char *tag, char id[40])
{
    unsigned c = COMMITTEE(committee);
    char body[2048], what[5][64], path[200];
    for (int k = 0; k < 5; k++)
        snprintf(what[k], sizeof what[k], "%s-%s", tag,
                 (const char *[]){"title", "description", "presenter", "x", "y"}[k]);
    snprintf(body, sizeof body,
             "{\"kind\":\"CASE\",\"title\":\"%s Klage på navngitt lege\",\"description\":\"%s "
             "Bakgrunn\",\"presenters\":[\"%s\"],\"durationMin\":20,\"isExempt\":true,"
             "\"publicTitle\":\"Sak om tilsetting " PUBLIC_TITLE "-%s\","
             "\"exemptionBasis\":\"offl. § 13\"}",
             s_canary(A_EXEMPT, 0, c, what[0]), s_canary(A_EXEMPT, 0, c, what[1]),
             s_canary(A_EXEMPT, 0, c, what[2]), tag);
    s_item(meeting, body, id);
    char n[6][64];
    static const char *const fields[] = {"doc-responsible", "doc-officer",    "doc-decision",
                                         "doc-background",  "doc-assessment", "att-filename"};
    for (int k = 0; k < 6; k++)
        snprintf(n[k], sizeof n[k], "%s-%s", tag, fields[k]);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", meeting, id);
    snprintf(body, sizeof body,
             "{\"responsible\":[\"%s\"],\"caseOfficers\":[\"%s\"],\"proposedDecisions\":[\"%s "
             "vedtas.\"],\"background\":\"%s om pasienten.\",\"assessment\":\"%s anbefales.\"}",
             s_canary(A_EXEMPT, 0, c, n[0]), s_canary(A_EXEMPT, 0, c, n[1]),
             s_canary(A_EXEMPT, 0, c, n[2]), s_canary(A_EXEMPT, 0, c, n[3]),
             s_canary(A_EXEMPT, 0, c, n[4]));
    harness_http_response_t *r = s_admin_send("PUT", path, body, 200);
    harness_http_response_free(&r);
    char content[128], b64[256], att[64];
    snprintf(att, sizeof att, "%s-att-content", tag);
    snprintf(content, sizeof content, "%s Vedlegg med pasientopplysninger\n",
             s_canary(A_EXEMPT, 0, c, att));
    s_base64(content, b64);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/attachments", meeting, id);
    snprintf(body, sizeof body,
             "{\"filename\":\"%s klage.txt\",\"contentType\":\"text/plain\",\"content\":\"%s\"}",
             s_canary(A_EXEMPT, 0, c, n[5]), b64);
    r = s_admin_send("POST", path, body, 200);
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(r->json, "attachments"), i, a)
        s_id(K_ATTACHMENT, json_string_value(json_object_get(a, "id")));
    harness_http_response_free(&r);
}

static void s_outcome(const char *meeting, const char *item, const char *body)
{
    char step[120];
    snprintf(step, sizeof step, "items/%s/outcome", item);
    s_meeting_step("PUT", meeting, step, body);
}

static void s_exempt_outcome(int committee, const char *meeting, const char *item, const char *tag)
{
    char body[1024], d[64], p[64];
    snprintf(d, sizeof d, "%s-decision", tag);
    snprintf(p, sizeof p, "%s-discussion", tag);
    snprintf(body, sizeof body,
             "{\"outcome\":\"ADOPTED_AS_AMENDED\",\"decision\":\"%s Vedtatt.\","
             "\"discussionPoints\":[\"%s drøftet.\"]}",
             s_canary(A_EXEMPT, 0, COMMITTEE(committee), d),
             s_canary(A_EXEMPT, 0, COMMITTEE(committee), p));
    s_outcome(meeting, item, body);
}

static void s_build_directory(void)
{
    static const struct {
        const char *name, *number, *kind, *mail;
    } orgs[] = {
        {"St. Olavs hospital HF", "883974832", "HOSPITAL_TRUST", "post@h.example"},
        {"Trondheim kommune", "942110464", "MUNICIPALITY", "post@m1.example"},
        {"Malvik kommune", "939865942", "MUNICIPALITY", "post@m2.example"},
    };
    char body[512];
    for (int o = 0; o < N_ORGS; o++) {
        snprintf(body, sizeof body,
                 "{\"name\":\"%s\",\"organizationNumber\":\"%s\",\"kind\":\"%s\","
                 "\"contactEmail\":\"%s\"}",
                 orgs[o].name, orgs[o].number, orgs[o].kind, orgs[o].mail);
        s_create("/v1/organizations", body, K_ORG, s_orgs[o]);
    }
    s_admin = s_principal_new("environment administrator", -1, ROLE_ANY);
    s_principals[s_admin].is_env_admin = s_principals[s_admin].is_caller = true;
    snprintf(s_principals[s_admin].auth, sizeof s_principals[s_admin].auth, "%s",
             s_stack.auth_header);
    snprintf(s_principals[s_admin].key, sizeof s_principals[s_admin].key, "%s", s_stack.admin_key);
    s_anonymous = s_principal_new("anonymous (no credential)", -1, 0);
    s_principals[s_anonymous].is_caller = true;
    char name[64];
    for (int o = 0; o < N_ORGS; o++)
        for (size_t k = 0; k < N_ROLES; k++) {
            snprintf(name, sizeof name, "%s/%s", s_org_names[o], s_roles[k]);
            s_org_key[o][k] = s_key(name, o, s_roles[k], 1u << k);
        }
    s_p1 = s_key("M1/member person P1 (member of C1)", M1, "member", ROLE_MEMBER);
    s_p2 = s_key("M2/member person P2 (member of C2)", M2, "member", ROLE_MEMBER);
    s_p3 = s_key("H/member person P3 (no membership)", H, "member", ROLE_MEMBER);
    s_p4 = s_key("H/secretary person P4 (secretary of C1)", H, "secretary", ROLE_SECRETARY);
    /* the partnership's own quality staff: for no party */
    s_partnership_quality =
        s_key("partnership quality (no organisation)", -1, "quality", ROLE_QUALITY);
    s_revoked = s_key("M2/quality+integration, revoked", M2, "quality\",\"integration",
                      ROLE_QUALITY | ROLE_INTEGRATION);
    /* its subscription's deliveries: what it saw before it was revoked */
    s_revoked_channel = s_principal_new("M2/quality+integration's subscription", M2,
                                        ROLE_QUALITY | ROLE_INTEGRATION);
    s_principals[s_revoked_channel].is_early_only = true;
    for (int o = 0; o < N_ORGS; o++) {
        /* the shared address hears of a report, never what it says (README) */
        snprintf(name, sizeof name, "shared mailbox post@%s.example", s_domains[o]);
        s_mailbox_shared[o] = s_principal_new(name, -1, 0);
        snprintf(name, sizeof name, "a mailbox @%s.example", s_domains[o]);
        s_mailbox_org[o] = s_principal_new(name, o, 0);
    }
    s_mailbox_x1 = s_principal_new("mailbox of person X1 (member of C2)", M2, 0);
    s_principals[s_mailbox_x1].committees = COMMITTEE(C2);

    static const struct {
        const char *name, *kind;
    } committees[] = {{"Fagråd for legesamarbeid", "EXPERT_COUNCIL"},
                      {"Administrativt samarbeidsutvalg", "ADMINISTRATIVE"},
                      {"Beredskaps-ASU", "EMERGENCY"}};
    for (int c = 0; c < N_COMMITTEES; c++) {
        /* each run by one organisation's secretariat: C1 and C3 by the
         * hospital's, C2 by M1's */
        snprintf(body, sizeof body,
                 "{\"name\":\"%s\",\"kind\":\"%s\",\"secretariatOrganizationId\":\"%s\"}",
                 committees[c].name, committees[c].kind, s_orgs[s_runner[c]]);
        s_create("/v1/committees", body, K_COMMITTEE, s_committees[c]);
    }
    s_person_of(s_p1, "Pål Medlem", "p1@m1.example", C1, "MEMBER");
    s_person_of(s_p2, "Per Annen", NULL, C2, "MEMBER");
    s_person_of(s_p3, "Nina Ikkemedlem", NULL, -1, NULL);
    s_person_of(s_p4, "Siri Sekretær", NULL, C1, "SECRETARY");
    /* persons without keys: their names, e-mails, titles and subjects */
    char id[40], path[128];
    snprintf(body, sizeof body,
             "{\"name\":\"%s Hansen\",\"title\":\"%s rådgiver\",\"organizationId\":\"%s\","
             "\"email\":\"%s@m2.example\",\"principalSubject\":\"oidc:%s\"}",
             s_canary(A_PERSONS, 0, 0, "person-x1-name"),
             s_canary(A_PERSONS, 0, 0, "person-x1-title"), s_orgs[M2],
             s_canary_as(true, A_PERSONS, 0, 0, -1, "person-x1-mail"),
             s_canary(A_PERSONS, 0, 0, "person-x1-subject"));
    s_create("/v1/persons", body, K_PERSON, id);
    snprintf(path, sizeof path, "/v1/committees/%s/memberships", s_committees[C2]);
    snprintf(body, sizeof body,
             "{\"personId\":\"%s\",\"role\":\"MEMBER\",\"termFrom\":\"2020-01-01\"}", id);
    char membership[40];
    s_create(path, body, K_MEMBERSHIP, membership);
    s_id_in(K_MEMBERSHIP, membership, s_committees[C2]);
    snprintf(body, sizeof body,
             "{\"name\":\"%s Olsen\",\"organizationId\":\"%s\",\"email\":\"%s@h.example\"}",
             s_canary(A_PERSONS, 0, 0, "person-x2-name"), s_orgs[H],
             s_canary_as(true, A_PERSONS, 0, 0, -1, "person-x2-mail"));
    s_create("/v1/persons", body, K_PERSON, id);
}

static harness_receiver_t *s_receivers[8];
static int s_receiver_reader[8];
static char s_receiver_urls[8][256];
static size_t s_n_receivers;

static harness_receiver_t *s_receiver(int reader)
{
    harness_receiver_t *rx = harness_receiver_start(NULL, 0, 204);
    s_receivers[s_n_receivers] = rx;
    s_receiver_reader[s_n_receivers++] = reader;
    return rx;
}

/* "http://127.0.0.1:<port>/<path>" of a receiver */
static void s_receiver_url(harness_receiver_t *rx, const char *path, char *out, size_t size)
{
    const char *url = harness_receiver_url(rx);
    snprintf(out, size, "%.*s/%s", (int)(strrchr(url, '/') - url), url, path);
}

/* A subscription of every event by `owner` (its principal), with canaries
 * for the owner organisation in its URL, description and contact. */
static void s_subscribe(int owner, const char *tag, char id[40])
{
    int org = s_principals[owner].org;
    harness_receiver_t *rx = s_receiver(owner == s_revoked ? s_revoked_channel : owner);
    char what[64], url[256], body[1024], mail[64];
    snprintf(what, sizeof what, "suburl-%s", tag);
    s_receiver_url(rx, s_canary(A_SUB, ORG(org), 0, what), url, sizeof url);
    snprintf(s_receiver_urls[s_n_receivers - 1], 256, "%s", url);
    snprintf(what, sizeof what, "subdesc-%s", tag);
    snprintf(mail, sizeof mail, "subcontact-%s", tag);
    snprintf(body, sizeof body,
             "{\"url\":\"%s\",\"description\":\"%s fagsystem\",\"contactEmail\":\"%s@%s.example\"}",
             url, s_canary(A_SUB, ORG(org), 0, what),
             s_canary_as(true, A_SUB, ORG(org), 0, -1, mail),
             org == H    ? "h"
             : org == M1 ? "m1"
                         : "m2");
    harness_http_response_t *r = s_as(owner, "POST", "/v1/subscriptions", body, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    s_id(K_SUBSCRIPTION, id);
    harness_http_response_free(&r); /* the answer with the secret is the owner's, and not scanned */
}

static void s_build_meetings(void)
{
    char body[1024], id[40], path[200];
    /* C1: a meeting from notice to approved minutes */
    s_meeting(C1, "2026-03-04T09:00:00+01:00", "2026-03-04T12:00:00+01:00", s_m1a);
    char i1[40], aob[40];
    s_item(s_m1a,
           "{\"kind\":\"CASE\",\"title\":\"Offentlig sak om legevakt\",\"presenters\":[\"Ingrid "
           "Innleder\"],\"durationMin\":20}",
           i1);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", s_m1a, i1);
    harness_http_response_t *r =
        s_admin_send("PUT", path,
                     "{\"background\":\"Offentlig bakgrunn.\",\"proposedDecisions\":[\"Tas til "
                     "orientering.\"]}",
                     200);
    harness_http_response_free(&r);
    s_exempt_case(C1, s_m1a, "c1-exempt", s_e1);
    s_item(s_m1a, "{\"kind\":\"CASE\",\"title\":\"Sak som blir unntatt\",\"durationMin\":15}",
           s_i3);
    s_item(s_m1a, "{\"kind\":\"ANY_OTHER_BUSINESS\",\"title\":\"Eventuelt\",\"durationMin\":5}",
           aob);
    s_meeting_step("POST", s_m1a, "publish", NULL);
    /* after the notice: an exempt case not yet numbered whose document
     * changes, and one PATCH that retitles an item and makes it exempt */
    snprintf(body, sizeof body,
             "{\"kind\":\"CASE\",\"title\":\"%s Ny unntatt sak\",\"durationMin\":10,"
             "\"isExempt\":true,\"publicTitle\":\"Sak om tilsetting " PUBLIC_TITLE "-late\","
             "\"exemptionBasis\":\"offl. § 13\",\"position\":4}",
             s_canary(A_EXEMPT, 0, COMMITTEE(C1), "c1-late-exempt-title"));
    s_item(s_m1a, body, s_e1b);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", s_m1a, s_e1b);
    const char *background = s_canary(A_EXEMPT, 0, COMMITTEE(C1), "c1-late-exempt-doc");
    snprintf(body, sizeof body, "{\"background\":\"%s om pasienten.\"}", background);
    r = s_admin_send("PUT", path, body, 200);
    harness_http_response_free(&r);
    snprintf(body, sizeof body, "{\"background\":\"%s om pasienten.\",\"assessment\":\"%s\"}",
             background, s_canary(A_EXEMPT, 0, COMMITTEE(C1), "c1-late-exempt-doc-changed"));
    r = s_admin_send("PUT", path, body, 200);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", s_m1a, s_i3);
    snprintf(body, sizeof body,
             "{\"title\":\"%s Omdøpt og unntatt\",\"isExempt\":true,\"publicTitle\":\"Sak "
             "om tilsetting " PUBLIC_TITLE "-retitled\",\"exemptionBasis\":\"offl. § 13\"}",
             s_canary(A_EXEMPT, 0, COMMITTEE(C1), "c1-retitled-exempt-title"));
    r = s_admin_send("PATCH", path, body, 200);
    harness_http_response_free(&r);
    s_meeting_step("POST", s_m1a, "publish", NULL); /* the supplementary notice */
    char attendance[512];
    snprintf(attendance, sizeof attendance,
             "{\"entries\":[{\"personId\":\"%s\",\"status\":\"PRESENT\"}]}",
             s_ids[K_PERSON][0]); /* P1, the first person made */
    s_meeting_step("PUT", s_m1a, "attendance", attendance);
    s_outcome(s_m1a, i1, "{\"outcome\":\"NOTED\"}");
    s_exempt_outcome(C1, s_m1a, s_e1, "c1-exempt");
    s_exempt_outcome(C1, s_m1a, s_e1b, "c1-late-exempt");
    s_exempt_outcome(C1, s_m1a, s_i3, "c1-retitled");
    s_outcome(s_m1a, aob, "{\"outcome\":\"NOTED\"}");
    s_meeting_step("POST", s_m1a, "minutes/approve", NULL);

    /* C2: the same, smaller */
    s_meeting(C2, "2026-03-05T13:00:00+01:00", "2026-03-05T16:00:00+01:00", s_m2a);
    s_item(s_m2a, "{\"kind\":\"CASE\",\"title\":\"Offentlig sak i ASU\",\"durationMin\":20}", id);
    char j1[40];
    snprintf(j1, sizeof j1, "%s", id);
    s_exempt_case(C2, s_m2a, "c2-exempt", s_e2);
    s_meeting_step("POST", s_m2a, "publish", NULL);
    snprintf(attendance, sizeof attendance,
             "{\"entries\":[{\"personId\":\"%s\",\"status\":\"PRESENT\"}]}",
             s_ids[K_PERSON][1]); /* P2 */
    s_meeting_step("PUT", s_m2a, "attendance", attendance);
    s_outcome(s_m2a, j1, "{\"outcome\":\"NOTED\"}");
    s_exempt_outcome(C2, s_m2a, s_e2, "c2-exempt");
    s_meeting_step("POST", s_m2a, "minutes/approve", NULL);

    /* C2: a notice out, the meeting not yet held (the changes are tried on it) */
    s_meeting(C2, "2031-04-02T13:00:00+02:00", "2031-04-02T15:00:00+02:00", s_m2b);
    s_exempt_case(C2, s_m2b, "c2-notice-exempt", s_e3);
    s_item(s_m2b, "{\"kind\":\"CASE\",\"title\":\"Offentlig sak i april\",\"durationMin\":20}", id);
    char april_doc[200];
    snprintf(april_doc, sizeof april_doc, "/v1/meetings/%s/items/%s/document", s_m2b, id);
    r = s_admin_send("PUT", april_doc, "{\"background\":\"Offentlig bakgrunn i april.\"}", 200);
    harness_http_response_free(&r);
    s_meeting_step("POST", s_m2b, "publish", NULL);
    /* P2, a member of C2, reports absence and declares possible
     * disqualification for the public case: each reason is for P2 and
     * those who run C2 alone, never its other members nor any event */
    char april[40];
    snprintf(april, sizeof april, "%s", id);
    snprintf(path, sizeof path, "/v1/meetings/%s/absences", s_m2b);
    snprintf(body, sizeof body, "{\"reason\":\"%s Sykdom\"}",
             s_canary_as(false, A_RUNS, 0, COMMITTEE(C2), s_p2, "absence-reason"));
    r = s_as(s_p2, "POST", path, body, 201);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/disqualifications", s_m2b, april);
    snprintf(body, sizeof body, "{\"reason\":\"%s Søsteren søker\"}",
             s_canary_as(false, A_RUNS, 0, COMMITTEE(C2), s_p2, "disqualification-reason"));
    r = s_as(s_p2, "POST", path, body, 201);
    harness_http_response_free(&r);
    /* drafted after the notice, for the next supplementary one: the
     * public and the members read the notice as it went out (its case
     * document too), search it and see the cases it carries */
    snprintf(body, sizeof body,
             "{\"kind\":\"ANY_OTHER_BUSINESS\",\"title\":\"%s Tillegg\",\"description\":\"%s\","
             "\"durationMin\":5}",
             s_canary(A_RUNS, 0, COMMITTEE(C2), "c2-drafted-title"),
             s_canary(A_RUNS, 0, COMMITTEE(C2), "c2-drafted-description"));
    s_item(s_m2b, body, id);
    snprintf(body, sizeof body, "{\"background\":\"%s\"}",
             s_canary(A_RUNS, 0, COMMITTEE(C2), "c2-drafted-doc-changed"));
    r = s_admin_send("PUT", april_doc, body, 200);
    harness_http_response_free(&r);
    snprintf(body, sizeof body, "{\"kind\":\"CASE\",\"title\":\"%s Ny sak\",\"durationMin\":5}",
             s_canary(A_RUNS, 0, COMMITTEE(C2), "c2-drafted-case-title"));
    s_item(s_m2b, body, id);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", s_m2b, id);
    snprintf(body, sizeof body, "{\"background\":\"%s\"}",
             s_canary(A_RUNS, 0, COMMITTEE(C2), "c2-drafted-case-doc"));
    r = s_admin_send("PUT", path, body, 200);
    harness_http_response_free(&r);

    /* C1: a draft meeting, for those with a key */
    s_meeting(C1, "2031-05-06T09:00:00+02:00", "2031-05-06T11:00:00+02:00", s_m1d);
    snprintf(
        body, sizeof body,
        "{\"kind\":\"CASE\",\"title\":\"%s Utkast\",\"description\":\"%s\",\"durationMin\":20}",
        s_canary(A_KEY, 0, 0, "draft-meeting-title"),
        s_canary(A_KEY, 0, 0, "draft-meeting-description"));
    s_item(s_m1d, body, id);
}

static void s_build_committee_work(void)
{
    char body[1024], path[200], id[40];
    /* proposals: one placed on the draft, one declined; submitters' e-mails */
    snprintf(path, sizeof path, "/v1/committees/%s/proposals", s_committees[C1]);
    snprintf(body, sizeof body,
             "{\"title\":\"%s Epikriser\",\"description\":\"%s\",\"submitterName\":\"Camilla "
             "Forr\",\"submitterEmail\":\"%s@m1.example\",\"organizationId\":\"%s\"}",
             s_canary(A_KEY, 0, 0, "proposal-accepted-title"),
             s_canary(A_KEY, 0, 0, "proposal-accepted-description"),
             s_canary_as(true, A_SENDER, ORG(M1), 0, -1, "proposal-accepted-mail"), s_orgs[M1]);
    s_create(path, body, K_PROPOSAL, id);
    char step[128];
    snprintf(step, sizeof step, "/v1/proposals/%s/accept", id);
    snprintf(body, sizeof body, "{\"meetingId\":\"%s\",\"durationMin\":20}", s_m1d);
    harness_http_response_t *r = s_admin_send("POST", step, body, 200);
    s_id_in(K_ITEM, harness_json_text(r, "itemId"), s_m1d);
    harness_http_response_free(&r);
    snprintf(body, sizeof body,
             "{\"title\":\"%s Parkering\",\"description\":\"%s\",\"submitterName\":\"Ola "
             "Nordmann\",\"submitterEmail\":\"%s@h.example\"}",
             s_canary(A_KEY, 0, 0, "proposal-declined-title"),
             s_canary(A_KEY, 0, 0, "proposal-declined-description"),
             s_canary_as(true, A_SENDER, 0, 0, -1, "proposal-declined-mail"));
    s_create(path, body, K_PROPOSAL, id);
    snprintf(s_proposal_declined, sizeof s_proposal_declined, "%s", id);
    snprintf(step, sizeof step, "/v1/proposals/%s/decline", id);
    r = s_admin_send("POST", step, "{\"reason\":\"Utenfor mandatet.\"}", 200);
    harness_http_response_free(&r);

    /* an action with a note */
    snprintf(body, sizeof body,
             "{\"committeeId\":\"%s\",\"description\":\"%s ROS-analyse\",\"responsible\":\"AU\","
             "\"responsibleOrganizationIds\":[\"%s\"],\"dueDate\":\"2031-06-30\"}",
             s_committees[C1], s_canary(A_KEY, 0, 0, "action-description"), s_orgs[H]);
    s_create("/v1/actions", body, K_ACTION, s_action);
    snprintf(path, sizeof path, "/v1/actions/%s", s_action);
    snprintf(body, sizeof body, "{\"status\":\"IN_PROGRESS\",\"note\":\"%s påbegynt.\"}",
             s_canary(A_KEY, 0, 0, "action-note"));
    r = s_admin_send("PATCH", path, body, 200);
    harness_http_response_free(&r);

    /* an emergency with a meeting and a log */
    snprintf(path, sizeof path, "/v1/committees/%s/emergencies", s_committees[C3]);
    s_create(path, "{\"title\":\"Flom i Gauldal\",\"description\":\"Samordning.\"}", K_EMERGENCY,
             s_emergency);
    snprintf(path, sizeof path, "/v1/emergencies/%s/meetings", s_emergency);
    r = s_admin_send("POST", path,
                     "{\"startTime\":\"2031-03-12T08:00:00+01:00\",\"endTime\":\"2031-03-12T08:"
                     "45:00+01:00\",\"onlineUrl\":\"https://teams.example/beredskap\"}",
                     201);
    char meeting[40];
    snprintf(meeting, sizeof meeting, "%s", harness_json_text(r, "id"));
    s_id(K_MEETING, meeting);
    harness_http_response_free(&r);
    snprintf(path, sizeof path, "/v1/emergencies/%s/log", s_emergency);
    snprintf(body, sizeof body,
             "{\"kind\":\"SITUATION_REPORT\",\"text\":\"%s 12 innlagte.\",\"meetingId\":\"%s\"}",
             s_canary(A_KEY, 0, 0, "emergency-log"), meeting);
    r = s_admin_send("POST", path, body, 200);
    harness_http_response_free(&r);
}

/* ------------------------------------------------------------ deviations */

/* A report from `from` to `to` by the reporting organisation's reporter,
 * every free text a canary of `tag`; anonymous and draft as asked. */
static void s_report(int from, int to, const char *tag, bool is_anonymous, bool submit, char id[40])
{
    unsigned parties = ORG(from) | ORG(to);
    s_audience_t text = submit ? A_DEV : A_DRAFT;
    s_audience_t who = !submit ? A_DRAFT : is_anonymous ? A_ANON : A_DEV;
    unsigned who_orgs = who == A_ANON || who == A_DRAFT ? ORG(from) : parties;
    unsigned text_orgs = text == A_DRAFT ? ORG(from) : parties;
    char w[6][64], body[2048];
    static const char *const fields[] = {"unit",        "reporter", "mail",
                                         "description", "measures", "consequence"};
    for (int k = 0; k < 6; k++)
        snprintf(w[k], sizeof w[k], "dev-%s-%s", tag, fields[k]);
    snprintf(body, sizeof body,
             "{\"reportingOrganizationId\":\"%s\",\"reportingUnit\":\"%s\","
             "\"receivingOrganizationId\":\"%s\",\"reporterName\":\"%s Nordmann\","
             "\"reporterEmail\":\"%s@%s.example\",\"isAnonymous\":%s,"
             "\"occurredTime\":\"2026-11-02T10:00:00+01:00\",\"isPatientRelated\":true,"
             "\"type\":\"BREACH_OF_AGREEMENT\",\"categoryCode\":\"SAM-EPIKRISE\","
             "\"description\":\"%s Pasienten kom hjem uten epikrise.\",\"immediateMeasures\":"
             "\"%s\",\"actualConsequence\":\"%s\",\"harmDegree\":\"MINOR\",\"submit\":%s}",
             s_orgs[from], s_canary(text, text_orgs, 0, w[0]), s_orgs[to],
             s_canary(who, who_orgs, 0, w[1]), s_canary_as(true, who, who_orgs, 0, -1, w[2]),
             s_domains[from], is_anonymous ? "true" : "false", s_canary(text, text_orgs, 0, w[3]),
             s_canary(text, text_orgs, 0, w[4]), s_canary(text, text_orgs, 0, w[5]),
             submit ? "true" : "false");
    harness_http_response_t *r = s_as(s_org_key[from][4], "POST", "/v1/deviations", body, 201);
    snprintf(id, 40, "%s", harness_json_text(r, "id"));
    s_id(K_DEVIATION, id);
    harness_http_response_free(&r);
}

/* A workflow step by `org`'s reporter, with a comment canary for `parties`. */
static void s_dev_step(const char *id, int org, const char *step, const char *field,
                       unsigned parties, const char *tag)
{
    char path[160], body[512] = "{}";
    snprintf(path, sizeof path, "/v1/deviations/%s/%s", id, step);
    if (field) {
        char what[64];
        snprintf(what, sizeof what, "dev-%s-%s", tag, step);
        snprintf(body, sizeof body, "{\"%s\":\"%s tekst.\"}", field,
                 s_canary(A_DEV, parties, 0, what));
    }
    harness_http_response_t *r = s_as(s_org_key[org][4], "POST", path, body, 200);
    harness_http_response_free(&r);
}

/* The joint analysis of report `id` between `from` and `to` (issue 19),
 * begun by `from`'s reporter and added to by `to`'s quality staff, every
 * text a canary that only the two parties and the partnership read. */
static void s_analysis(const char *id, int from, int to, const char *tag)
{
    unsigned parties = ORG(from) | ORG(to);
    char w[8][64], body[3072], path[160];
    static const char *const fields[] = {"summary", "name",    "role",  "cause",
                                         "finding", "measure", "owner", "timeline"};
    for (int k = 0; k < 8; k++)
        snprintf(w[k], sizeof w[k], "ana-%s-%s", tag, fields[k]);
    snprintf(body, sizeof body,
             "{\"summary\":\"%s\",\"participants\":[{\"name\":\"%s\",\"role\":\"%s\","
             "\"organizationId\":\"%s\"}],\"causes\":[{\"category\":\"ROUTINES\","
             "\"description\":\"%s\"}],\"findings\":[\"%s\"],\"measures\":[{\"description\":"
             "\"%s\",\"ownerOrganizationId\":\"%s\",\"ownerPerson\":\"%s\",\"dueDate\":"
             "\"2024-01-31\"}]}",
             s_canary(A_ANALYSIS, parties, 0, w[0]), s_canary(A_ANALYSIS, parties, 0, w[1]),
             s_canary(A_ANALYSIS, parties, 0, w[2]), s_orgs[from],
             s_canary(A_ANALYSIS, parties, 0, w[3]), s_canary(A_ANALYSIS, parties, 0, w[4]),
             s_canary(A_ANALYSIS, parties, 0, w[5]), s_orgs[to],
             s_canary(A_ANALYSIS, parties, 0, w[6]));
    snprintf(path, sizeof path, "/v1/deviations/%s/analysis", id);
    harness_http_response_t *r = s_as(s_org_key[from][4], "POST", path, body, 201);
    char etag[40], if_match[64];
    harness_http_header(r, "etag", etag, sizeof etag);
    harness_http_response_free(&r);
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    snprintf(body, sizeof body,
             "{\"timeline\":[{\"time\":\"2026-11-01T14:00:00+01:00\",\"description\":"
             "\"%s\"}]}",
             s_canary(A_ANALYSIS, parties, 0, w[7]));
    char url[256];
    snprintf(url, sizeof url, "%s%s", s_stack.base_url, path);
    const char *headers[] = {s_principals[s_org_key[to][5]].auth, if_match, NULL};
    r = harness_http_request("PATCH", url, body, headers);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
}

/* Disputes go to C2 (issue 19): each disputed report becomes a proposal
 * there that every committee reader reads, so what it carries of the
 * report is read by every principal below. */
static void s_dispute_committee(void)
{
    harness_http_response_t *r = harness_stack_get(&s_stack, "/v1/settings");
    char etag[40], if_match[64], url[256], body[512];
    harness_http_header(r, "etag", etag, sizeof etag);
    harness_http_response_free(&r);
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    snprintf(body, sizeof body,
             "{\"answerDeadline\":{\"length\":20,\"unit\":\"WORKING_DAYS\"},"
             "\"statisticsPeriod\":\"TERTIAL\",\"reminderDays\":2,\"disputeCommitteeId\":\"%s\"}",
             s_committees[C2]);
    snprintf(url, sizeof url, "%s/v1/settings", s_stack.base_url);
    const char *headers[] = {s_stack.auth_header, if_match, NULL};
    r = harness_http_request("PUT", url, body, headers);
    assert_int_equal(r->status, 200);
    harness_http_response_free(&r);
}

static void s_build_deviations(void)
{
    char id[40], body[256];
    unsigned m1h = ORG(M1) | ORG(H);
    s_dispute_committee();
    /* the whole workflow to closed, every comment a canary */
    s_report(M1, H, "d1", false, true, id);
    char d1[40];
    snprintf(d1, sizeof d1, "%s", id);
    s_dev_step(id, H, "acknowledge", NULL, 0, NULL);
    s_dev_step(id, H, "request-information", "comment", m1h, "d1");
    s_dev_step(id, M1, "give-information", "comment", m1h, "d1");
    s_dev_step(id, H, "respond", "answer", m1h, "d1");
    s_dev_step(id, M1, "dispute", "comment", m1h, "d1");
    s_dev_step(id, M1, "request-analysis", NULL, 0, NULL);
    s_dev_step(id, H, "close", NULL, 0, NULL);
    /* submitted */
    s_report(H, M2, "d2", false, true, s_dev_foreign);
    /* awaiting response */
    s_report(M2, M1, "d3", false, true, id);
    s_dev_step(id, M1, "acknowledge", NULL, 0, NULL);
    /* information requested */
    s_report(M1, M2, "d4", false, true, id);
    s_dev_step(id, M2, "acknowledge", NULL, 0, NULL);
    s_dev_step(id, M2, "request-information", "comment", ORG(M1) | ORG(M2), "d4");
    /* answered */
    s_report(H, M1, "d5", false, true, id);
    s_dev_step(id, M1, "acknowledge", NULL, 0, NULL);
    s_dev_step(id, M1, "respond", "answer", m1h, "d5");
    /* rejected */
    s_report(M2, H, "d6", false, true, id);
    s_dev_step(id, H, "reject", "reason", ORG(M2) | ORG(H), "d6");
    /* a duplicate */
    s_report(M1, H, "d7", false, true, id);
    snprintf(body, sizeof body, "{\"duplicateOfId\":\"%s\"}", d1);
    char path[160];
    snprintf(path, sizeof path, "/v1/deviations/%s/mark-duplicate", id);
    harness_http_response_t *r = s_as(s_org_key[H][4], "POST", path, body, 200);
    harness_http_response_free(&r);
    /* drafts, one of them anonymous */
    s_report(M1, H, "d8-draft", false, false, id);
    s_report(M2, H, "d10-anon-draft", true, false, id);
    /* anonymous, submitted */
    s_report(M1, H, "d9-anon", true, true, id);
    s_dev_step(id, H, "acknowledge", NULL, 0, NULL);
    /* forwarded: the first receiver keeps reading it, what came after too */
    s_report(H, M1, "d11-fwd", false, true, id);
    snprintf(path, sizeof path, "/v1/deviations/%s/forward", id);
    snprintf(body, sizeof body,
             "{\"forwardToOrganizationId\":\"%s\",\"comment\":\"Gjelder Malvik.\"}", s_orgs[M2]);
    r = s_as(s_org_key[M1][4], "POST", path, body, 200);
    harness_http_response_free(&r);
    /* the description was seen by the first receiver too */
    for (size_t i = 0; i < s_n_canaries; i++)
        if (strncmp(s_canaries[i].token, "canary-dev-d11-fwd-", 19) == 0)
            s_canaries[i].orgs |= ORG(M2);
    s_dev_step(id, M2, "acknowledge", NULL, 0, NULL);
    s_dev_step(id, M2, "respond", "answer", ORG(H) | ORG(M1) | ORG(M2), "d11-fwd");
    /* anonymous and forwarded: neither receiver learns who reported it */
    s_report(M1, H, "d16-anon-fwd", true, true, id);
    snprintf(path, sizeof path, "/v1/deviations/%s/forward", id);
    r = s_as(s_org_key[H][4], "POST", path, body, 200);
    harness_http_response_free(&r);
    for (size_t i = 0; i < s_n_canaries; i++)
        if (strncmp(s_canaries[i].token, "canary-dev-d16-anon-fwd-", 24) == 0 &&
            s_canaries[i].audience == A_DEV)
            s_canaries[i].orgs |= ORG(M2);
    s_dev_step(id, M2, "acknowledge", NULL, 0, NULL);
    s_dev_step(id, M2, "respond", "answer", ORG(H) | ORG(M1) | ORG(M2), "d16-anon-fwd");
    /* disputed by its anonymous reporter: a proposal to C2 for everyone */
    s_dev_step(id, M1, "dispute", "comment", ORG(H) | ORG(M1) | ORG(M2), "d16-anon-fwd");
    /* disputed */
    s_report(H, M2, "d12", false, true, id);
    s_dev_step(id, M2, "acknowledge", NULL, 0, NULL);
    s_dev_step(id, M2, "respond", "answer", ORG(H) | ORG(M2), "d12");
    s_dev_step(id, H, "dispute", "comment", ORG(H) | ORG(M2), "d12");
    /* joint analysis requested */
    s_report(M1, M2, "d13", false, true, id);
    s_dev_step(id, M2, "acknowledge", NULL, 0, NULL);
    s_dev_step(id, M2, "respond", "answer", ORG(M1) | ORG(M2), "d13");
    s_dev_step(id, M1, "dispute", "comment", ORG(M1) | ORG(M2), "d13");
    s_dev_step(id, M1, "request-analysis", NULL, 0, NULL);
    s_analysis(id, M1, M2, "d13");
    /* submitted to M1, for the mark-duplicate oracle */
    s_report(M2, M1, "d15", false, true, s_dev_oracle);
}

/* The revoked key's subscription: made while it could see every report,
 * repointed by another key of its organisation after the revocation; a
 * report between two other parties afterwards must reach neither endpoint. */
static long s_repoint_status;
static char s_repoint_answer[4096];

static void s_revoke(void)
{
    char path[160], url[256], body[512];
    snprintf(path, sizeof path, "/v1/api-keys/%s", s_principals[s_revoked].key_id);
    harness_http_response_t *r = s_admin_send("DELETE", path, NULL, 200);
    harness_http_response_free(&r);
    s_principals[s_revoked].is_revoked = true;
    harness_receiver_t *rx = s_receiver(s_revoked_channel);
    s_receiver_url(rx, "repointed", url, sizeof url);
    snprintf(s_receiver_urls[s_n_receivers - 1], 256, "%s", url);
    snprintf(path, sizeof path, "/v1/subscriptions/%s", s_subscription_revoked);
    snprintf(body, sizeof body, "{\"url\":\"%s\",\"rotateSecret\":true}", url);
    r = s_call(s_org_key[M2][6], "PATCH /v1/subscriptions/{id} (another key's, revoked)", "PATCH",
               path, body, NULL);
    s_repoint_status = r->status;
    snprintf(s_repoint_answer, sizeof s_repoint_answer, "%s", r->body);
    harness_http_response_free(&r);
}

/* Waits until the gateway refuses the revoked key, then reports anew. */
static void s_after_revocation(void)
{
    long status = 200;
    for (int i = 0; i < 200 && status != 401; i++) {
        /* not scanned: until the gateway hears of it, the key is still good */
        char url[256];
        snprintf(url, sizeof url, "%s/v1/me", s_stack.base_url);
        const char *headers[] = {s_principals[s_revoked].auth, NULL};
        harness_http_response_t *r = harness_http_request("GET", url, NULL, headers);
        status = r->status;
        harness_http_response_free(&r);
        if (status != 401)
            usleep(100 * 1000);
    }
    assert_int_equal(status, 401);
    s_late = true;
    s_report(H, M1, "d16-late", false, true, s_dev_late);
}

/* ------------------------------------------------------------- changes */

static void s_try(int who, const char *channel, const char *method, const char *path,
                  const char *body, const char *header)
{
    harness_http_response_t *r = s_call(who, channel, method, path, body, header);
    harness_http_response_free(&r);
}

/* mark-duplicate with an id the caller may not see must answer as an id
 * of nothing does: nothing told about whether it exists */
static char s_oracle_finding[1024];

static void s_mark_duplicate_oracle(void)
{
    char path[160], body[128];
    int m1 = s_org_key[M1][4];
    snprintf(path, sizeof path, "/v1/deviations/%s/mark-duplicate", s_dev_oracle);
    harness_http_response_t *nothing = s_call(m1, "POST /v1/deviations/{id}/mark-duplicate", "POST",
                                              path, "{\"duplicateOfId\":\"" NOBODY "\"}", NULL);
    snprintf(body, sizeof body, "{\"duplicateOfId\":\"%s\"}", s_dev_foreign);
    harness_http_response_t *foreign =
        s_call(m1, "POST /v1/deviations/{id}/mark-duplicate", "POST", path, body, NULL);
    const char *a = harness_json_text(nothing, "detail"), *b = harness_json_text(foreign, "detail");
    char b_as_nothing[512];
    snprintf(b_as_nothing, sizeof b_as_nothing, "%s", b);
    char *at = strstr(b_as_nothing, s_dev_foreign);
    if (at)
        memcpy(at, NOBODY, 36);
    if (nothing->status != foreign->status || strcmp(a, b_as_nothing) != 0)
        snprintf(s_oracle_finding, sizeof s_oracle_finding,
                 "mark-duplicate by M1/reporter: an id of nothing answers %ld \"%s\", a report "
                 "between H and M2 answers %ld \"%s\"",
                 nothing->status, a, foreign->status, b);
    harness_http_response_free(&nothing);
    harness_http_response_free(&foreign);
}

/* Changes each principal tries, allowed or not; their answers are read
 * like any other. The bodies change nothing a canary depends on. */
static void s_changes(int who)
{
    char path[256], body[512];
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/attachments", s_m2b, s_e3);
    s_try(who, "POST /v1/meetings/{meetingId}/items/{itemId}/attachments (exempt)", "POST", path,
          "{\"filename\":\"notat.txt\",\"contentType\":\"text/plain\",\"content\":\"bm90YXQ=\"}",
          NULL);
    if (s_principals[who].is_revoked)
        return; /* each of its requests waits for a read of the keys: one is enough */
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", s_m2b, s_e3);
    s_try(who, "PATCH /v1/meetings/{meetingId}/items/{itemId} (exempt)", "PATCH", path,
          "{\"durationMin\":20}", NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/document", s_m2b, s_e3);
    s_try(who, "PUT /v1/meetings/{meetingId}/items/{itemId}/document (exempt, stale If-Match)",
          "PUT", path, "{\"background\":\"Endret.\"}", "If-Match: \"0\"");
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s", s_m1a, s_e1);
    s_try(who, "PATCH /v1/meetings/{meetingId}/items/{itemId} (exempt, minutes approved)", "PATCH",
          path, "{\"durationMin\":20}", NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/%s/outcome", s_m1a, s_e1);
    s_try(who, "PUT /v1/meetings/{meetingId}/items/{itemId}/outcome (exempt, approved)", "PUT",
          path, "{\"outcome\":\"NOTED\"}", NULL);
    snprintf(path, sizeof path, "/v1/deviations/%s/mark-duplicate", s_dev_oracle);
    snprintf(body, sizeof body, "{\"duplicateOfId\":\"%s\"}", s_dev_foreign);
    s_try(who, "POST /v1/deviations/{id}/mark-duplicate (foreign id)", "POST", path, body, NULL);
    snprintf(path, sizeof path, "/v1/deviations/%s/acknowledge", s_dev_foreign);
    s_try(who, "POST /v1/deviations/{id}/acknowledge (H to M2)", "POST", path,
          "{\"comment\":\"Mottatt.\"}", NULL);
    snprintf(path, sizeof path, "/v1/emergencies/%s/log", s_emergency);
    s_try(who, "POST /v1/emergencies/{emergencyId}/log", "POST", path,
          "{\"kind\":\"SITUATION_REPORT\",\"text\":\"Uendret.\"}", NULL);
    snprintf(path, sizeof path, "/v1/actions/%s", s_action);
    s_try(who, "PATCH /v1/actions/{id}", "PATCH", path, "{\"note\":\"Sett.\"}", NULL);
    for (int o = 0; o < N_ORGS; o++) {
        snprintf(path, sizeof path, "/v1/subscriptions/%s", s_subscription[o]);
        s_try(who, "PATCH /v1/subscriptions/{id} (no change)", "PATCH", path,
              "{\"state\":\"ACTIVE\"}", NULL);
        snprintf(path, sizeof path, "/v1/subscriptions/%s/replay", s_subscription[o]);
        s_try(who, "POST /v1/subscriptions/{subscriptionId}/replay", "POST", path,
              "{\"deliveryId\":\"" NOBODY "\"}", NULL);
    }
    snprintf(path, sizeof path, "/v1/persons/%s", s_ids[K_PERSON][4]); /* X1 */
    s_try(who, "PATCH /v1/persons/{id} (malformed)", "PATCH", path, "{\"organizationId\":\"",
          NULL); /* malformed: the error answer */
    snprintf(path, sizeof path, "/v1/committees/%s/proposals", s_committees[C1]);
    s_try(who, "POST /v1/committees/{committeeId}/proposals", "POST", path,
          "{\"title\":\"Forslag\",\"submitterName\":\"Noen\"}", NULL);
    snprintf(path, sizeof path, "/v1/proposals/%s/accept", s_proposal_declined);
    snprintf(body, sizeof body, "{\"meetingId\":\"%s\"}", s_m1d);
    s_try(who, "POST /v1/proposals/{id}/accept (declined)", "POST", path, body, NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/items/" NOBODY, s_m2b);
    s_try(who, "DELETE /v1/meetings/{meetingId}/items/{itemId} (no such item)", "DELETE", path,
          NULL, NULL);
    snprintf(path, sizeof path, "/v1/meetings/%s/attendance", s_m2b);
    s_try(who, "PUT /v1/meetings/{meetingId}/attendance (stale If-Match)", "PUT", path,
          "{\"entries\":[]}", "If-Match: \"0\"");
}

/* ---------------------------------------------------------- reading */

typedef struct {
    const char *rpc;
    const char *queries[8];
} s_queries_t;

/* the statistics of the tertial running today (where the reports are) and
 * of a range that is none: filled in by s_stats_queries */
static char s_stats_q[4][96];

static void s_stats_queries(void)
{
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    int year = tm.tm_year + 1900, tertial = tm.tm_mon / 4 + 1;
    static const char *const ends[] = {"04-30", "08-31", "12-31"};
    snprintf(s_stats_q[0], sizeof s_stats_q[0], "?period=%d-T%d", year, tertial);
    snprintf(s_stats_q[1], sizeof s_stats_q[1], "?period=%d-T%d&format=csv", year, tertial);
    snprintf(s_stats_q[2], sizeof s_stats_q[2], "?period=%d-T%d&format=html", year, tertial);
    snprintf(s_stats_q[3], sizeof s_stats_q[3], "?from=%d-%02d-01&to=%d-%s&format=csv", year,
             tm.tm_mon + 1, year, ends[tertial - 1]);
}

/* the query strings each route is asked with ("" for none) */
static const s_queries_t s_route_queries[] = {
    {"deviation.Stats", {s_stats_q[0], s_stats_q[1], s_stats_q[2], s_stats_q[3], NULL}},
    {"deviation.ListReports", {"?limit=500", "?limit=500&state=DRAFT", NULL}},
    {"agenda.ListMeetings", {"?limit=500", "?limit=500&state=DRAFT", NULL}},
    {"agenda.ListPersons", {"?limit=500", "?limit=500&q=CANARY", NULL}},
    {"agenda.GetMeeting", {"", "?version=1", NULL}},
    {"agenda.GetMeetingNotice", {"", "?version=1", NULL}},
    {"agenda.GetMeetingNoticePdf", {"", "?version=1", NULL}},
    {"agenda.GetMeetingCalendar", {"", "?version=1", NULL}},
    {"agenda.ListActions", {"?limit=500", "?limit=500&open=true", NULL}},
    {"deviation.ListCategories", {"", NULL}},
    {"deviation.ListSettingsVersions", {"", NULL}}, /* a few versions, not paged */
    /* a meeting's seats and declarations, the member's own meetings: not paged */
    {"agenda.ListSeats", {"", NULL}},
    {"agenda.ListDisqualifications", {"", NULL}},
    {"agenda.ListMyMeetings", {"", NULL}},
    /* a committee's archive: by year, not paged */
    {"agenda.ListCommitteeDocuments", {"", "?year=2026", NULL}},
};

static const char *const *s_queries_of(const gateway_route_t *route)
{
    static const char *const list[] = {"?limit=500", NULL};
    static const char *const none[] = {"", NULL};
    for (size_t i = 0; i < sizeof s_route_queries / sizeof s_route_queries[0]; i++)
        if (strcmp(s_route_queries[i].rpc, route->rpc) == 0)
            return s_route_queries[i].queries;
    return strstr(route->rpc, ".List") ? list : none;
}

/* The kind of the {parameter} at `param` of `template`, or -1 when the
 * test does not know it (the route is then not covered). */
static int s_param_kind(const char *template, const char *param)
{
    const char *end = param - 1; /* the '/' before it */
    const char *start = end;
    while (start > template && start[-1] != '/')
        start--;
    for (size_t i = 0; i < sizeof s_segments / sizeof s_segments[0]; i++)
        if (strlen(s_segments[i].segment) == (size_t)(end - start) &&
            strncmp(s_segments[i].segment, start, (size_t)(end - start)) == 0)
            return (int)s_segments[i].kind;
    return -1;
}

static void s_count_call(size_t index, long status)
{
    pthread_mutex_lock(&s_lock);
    s_route_calls[index]++;
    if (status == 200)
        s_route_ok[index]++;
    pthread_mutex_unlock(&s_lock);
}

static void s_read_path(int who, size_t index, const char *path)
{
    const gateway_route_t *route = &gateway_routes[index];
    char channel[200];
    snprintf(channel, sizeof channel, "GET %s", route->path);
    for (const char *const *q = s_queries_of(route); *q; q++) {
        char full[640];
        snprintf(full, sizeof full, "%s%s", path, *q);
        harness_http_response_t *r = s_call(who, channel, "GET", full, NULL, NULL);
        s_count_call(index, r->status);
        harness_http_response_free(&r);
    }
}

/* `template` with its parameters one after the other from `ids`. */
static void s_fill(const char *template, const char *const *ids, char *out, size_t size)
{
    size_t used = 0, k = 0;
    for (const char *t = template; *t && used + 1 < size;) {
        if (*t == '{') {
            used += (size_t)snprintf(out + used, size - used, "%s", ids[k++]);
            t = strchr(t, '}') + 1;
        } else {
            out[used++] = *t++;
        }
    }
    out[used] = '\0';
}

/* Calls `route` as `who` with every id of each of its parameters and an id
 * of nothing; for a child of a parent (an item of a meeting) each child
 * under its own parent, under another parent, and nothing under each. */
static void s_read_route(int who, size_t index)
{
    const gateway_route_t *route = &gateway_routes[index];
    int kinds[2];
    size_t n = 0;
    for (const char *p = strchr(route->path, '{'); p; p = strchr(p + 1, '{')) {
        if (n == 2)
            return; /* not covered: a route of three parameters is new */
        kinds[n] = s_param_kind(route->path, p);
        if (kinds[n] < 0)
            return;
        n++;
    }
    char path[512];
    if (n == 0) {
        s_read_path(who, index, route->path);
        return;
    }
    if (s_principals[who].is_revoked) {
        /* a key the gateway does not know waits up to a second for the
         * next read of the keys: the revoked key asks once per route */
        const char *ids[] = {s_n_ids[kinds[0]] ? s_ids[kinds[0]][0] : NOBODY,
                             n == 2 && s_n_ids[kinds[1]] ? s_ids[kinds[1]][0] : NOBODY};
        s_fill(route->path, ids, path, sizeof path);
        s_read_path(who, index, path);
        return;
    }
    if (n == 1) {
        for (size_t i = 0; i <= s_n_ids[kinds[0]]; i++) {
            const char *ids[] = {i < s_n_ids[kinds[0]] ? s_ids[kinds[0]][i] : NOBODY};
            s_fill(route->path, ids, path, sizeof path);
            s_read_path(who, index, path);
        }
        return;
    }
    size_t parents = s_n_ids[kinds[0]], children = s_n_ids[kinds[1]];
    for (size_t c = 0; c < children; c++) {
        const char *child = s_ids[kinds[1]][c], *own = s_parents[kinds[1]][c];
        const char *other = NULL;
        for (size_t p = 0; p < parents && !other; p++)
            if (strcmp(s_ids[kinds[0]][p], own) != 0)
                other = s_ids[kinds[0]][p];
        const char *pairs[3][2] = {{own[0] ? own : NOBODY, child}, {other ? other : NOBODY, child}};
        for (size_t k = 0; k < 2; k++) {
            s_fill(route->path, pairs[k], path, sizeof path);
            s_read_path(who, index, path);
        }
    }
    for (size_t p = 0; p < parents; p++) {
        const char *ids[] = {s_ids[kinds[0]][p], NOBODY};
        s_fill(route->path, ids, path, sizeof path);
        s_read_path(who, index, path);
    }
}

/* The whole feed, page by page. */
static size_t s_admin_feed_events;

static void s_read_feed(int who, size_t index)
{
    char cursor[64] = "", path[160];
    for (int page = 0; page < 100; page++) {
        snprintf(path, sizeof path, "/v1/events?limit=500%s%s", cursor[0] ? "&after=" : "", cursor);
        harness_http_response_t *r = s_call(who, "GET /v1/events (feed)", "GET", path, NULL, NULL);
        s_count_call(index, r->status);
        size_t items = json_array_size(json_object_get(r->json, "items"));
        if (who == s_admin)
            s_admin_feed_events += items;
        snprintf(cursor, sizeof cursor, "%s", harness_json_text(r, "nextCursor"));
        long status = r->status;
        harness_http_response_free(&r);
        if (status != 200 || items == 0 || !cursor[0])
            break;
    }
}

/* Routes outside the table: the pages, /v1/me, operations. */
static const char *const s_other_paths[] = {"/v1/me",   "/v1/sign-in", "/openapi.json",
                                            "/healthz", "/readyz",     "/metrics"};

/* A search finds by their words only what the reader may read: a title's
 * canary, searched for, finds nothing for one who may not see it. */
static void s_search_canaries(int who)
{
    static const char *const searches[] = {"/v1/meetings", "/v1/cases"};
    for (size_t i = 0; i < s_n_canaries; i++) {
        const s_canary_t *c = &s_canaries[i];
        if (!strstr(c->token, "title") || s_may_see(&s_principals[who], c, false))
            continue;
        for (size_t k = 0; k < sizeof searches / sizeof searches[0]; k++) {
            char channel[64], path[200];
            snprintf(channel, sizeof channel, "GET %s?q=", searches[k]);
            snprintf(path, sizeof path, "%s?limit=500&q=%s", searches[k], c->token);
            harness_http_response_t *r = s_call(who, channel, "GET", path, NULL, NULL);
            if (r->status == 200 && json_array_size(json_object_get(r->json, "items")) > 0) {
                pthread_mutex_lock(&s_lock);
                s_leak(who, channel, path, c->token);
                pthread_mutex_unlock(&s_lock);
            }
            harness_http_response_free(&r);
        }
    }
}

static void s_read_everything(int who)
{
    s_search_canaries(who);
    for (size_t i = 0; i < gateway_routes_count; i++) {
        if (strcmp(gateway_routes[i].method, "GET") != 0)
            continue;
        if (strcmp(gateway_routes[i].rpc, "notify.ListEvents") == 0)
            s_read_feed(who, i);
        else
            s_read_route(who, i);
    }
    for (size_t i = 0; i < sizeof s_other_paths / sizeof s_other_paths[0]; i++) {
        char channel[64];
        snprintf(channel, sizeof channel, "GET %s", s_other_paths[i]);
        harness_http_response_t *r = s_call(who, channel, "GET", s_other_paths[i], NULL, NULL);
        harness_http_response_free(&r);
    }
}

/* A short read of the event stream from its start, for each principal at once. */
typedef struct {
    int who;
    char *data;
    size_t len, cap;
    char *headers;
    size_t headers_len;
    struct timespec started, marker_seen; /* the last event of the build came by */
} s_sse_t;

static double s_seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static size_t s_sse_append(char **buf, size_t *len, size_t *cap, const char *data, size_t n)
{
    if (*len + n + 1 > *cap) {
        if (*len + n + 1 > 16u << 20)
            return 0;
        *cap = (*len + n + 1) * 2;
        *buf = realloc(*buf, *cap);
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
    return n;
}

static size_t s_sse_body(char *data, size_t size, size_t n, void *arg)
{
    s_sse_t *s = arg;
    size_t got = s_sse_append(&s->data, &s->len, &s->cap, data, size * n);
    if (!s->marker_seen.tv_sec && s->data && strstr(s->data, s_marker_org))
        clock_gettime(CLOCK_MONOTONIC, &s->marker_seen);
    return got;
}

/* Ends the read a moment after the build's last event came, or after 15 s. */
static int s_sse_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    s_sse_t *s = arg;
    (void)a, (void)b, (void)c, (void)d;
    if (s->marker_seen.tv_sec && s_seconds_since(&s->marker_seen) > 1.0)
        return 1;
    return s_seconds_since(&s->started) > 15.0;
}

static size_t s_sse_head(char *data, size_t size, size_t n, void *arg)
{
    s_sse_t *s = arg;
    size_t cap = s->headers_len + size * n + 1;
    s->headers = realloc(s->headers, cap);
    memcpy(s->headers + s->headers_len, data, size * n);
    s->headers_len += size * n;
    s->headers[s->headers_len] = '\0';
    return size * n;
}

static void *s_sse_main(void *arg)
{
    s_sse_t *s = arg;
    char url[256];
    snprintf(url, sizeof url, "%s/v1/events/stream", s_stack.base_url);
    struct curl_slist *headers = curl_slist_append(NULL, "Last-Event-ID: 0");
    if (s_principals[s->who].auth[0])
        headers = curl_slist_append(headers, s_principals[s->who].auth);
    CURL *curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_sse_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, s_sse_head);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, s_sse_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, s);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 20000L);
    clock_gettime(CLOCK_MONOTONIC, &s->started);
    curl_easy_perform(curl);
    curl_easy_cleanup(curl);
    curl_slist_free_all(headers);
    return NULL;
}

static size_t s_read_streams(void)
{
    s_sse_t streams[MAX_PRINCIPALS];
    pthread_t threads[MAX_PRINCIPALS];
    size_t n = 0, events = 0;
    for (size_t i = 0; i < s_n_principals; i++) {
        if (!s_principals[i].is_caller)
            continue;
        memset(&streams[n], 0, sizeof streams[n]);
        streams[n].who = (int)i;
        pthread_create(&threads[n], NULL, s_sse_main, &streams[n]);
        n++;
    }
    for (size_t k = 0; k < n; k++) {
        pthread_join(threads[k], NULL);
        s_scan(streams[k].who, "GET /v1/events/stream (SSE)", "GET /v1/events/stream",
               streams[k].headers, NULL);
        s_scan(streams[k].who, "GET /v1/events/stream (SSE)", "GET /v1/events/stream",
               streams[k].data, NULL);
        if (streams[k].who == s_admin)
            for (const char *p = streams[k].data; p && (p = strstr(p, "\nevent: ")); p++)
                events++;
        free(streams[k].data);
        free(streams[k].headers);
    }
    return events;
}

/* ------------------------------------------------------------ channels */

/* The text of a mail with its base64 parts and encoded words decoded. */
static char *s_mail_text(const char *message)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    s_sse_append(&out, &len, &cap, message, strlen(message));
    static const char *const marks[] = {"Content-Transfer-Encoding: base64\r\n\r\n", "?B?"};
    for (int m = 0; m < 2; m++)
        for (const char *p = strstr(message, marks[m]); p; p = strstr(p + 1, marks[m])) {
            const char *start = p + strlen(marks[m]);
            const char *end = m == 0 ? strstr(start, "\r\n--") : strstr(start, "?=");
            if (!end)
                end = start + strlen(start);
            char *b64 = calloc(1, (size_t)(end - start) + 1);
            size_t n = 0;
            for (const char *q = start; q < end; q++)
                if (*q != '\r' && *q != '\n')
                    b64[n++] = *q;
            unsigned char *text = calloc(1, n + 4);
            int got = EVP_DecodeBlock(text, (unsigned char *)b64, (int)n);
            if (got > 0) {
                s_sse_append(&out, &len, &cap, "\n", 1);
                s_sse_append(&out, &len, &cap, (char *)text, (size_t)got);
            }
            free(b64);
            free(text);
        }
    return out;
}

static int s_mailbox_of(const char *recipient)
{
    if (strcasestr(recipient, "p1@m1.example"))
        return s_p1;
    if (strcasestr(recipient, "person-x1-mail"))
        return s_mailbox_x1;
    for (int o = 0; o < N_ORGS; o++) {
        char domain[32];
        snprintf(domain, sizeof domain, "post@%s.example", s_domains[o]);
        if (strcasestr(recipient, domain))
            return s_mailbox_shared[o];
        if (strcasestr(recipient, domain + 4))
            return s_mailbox_org[o];
    }
    return -1;
}

static size_t s_check_mails(void)
{
    size_t n = harness_smtp_wait(s_smtp, 0, 0);
    for (size_t i = 0; i < n; i++) {
        const char *to = harness_smtp_recipient(s_smtp, i);
        int box = s_mailbox_of(to);
        if (box < 0) {
            char what[600];
            snprintf(what, sizeof what, "a mail to %s, an address of nobody here", to);
            s_leak(s_admin, "mail", to, what);
            continue;
        }
        char *text = s_mail_text(harness_smtp_message(s_smtp, i));
        char where[600];
        snprintf(where, sizeof where, "mail to %s", to);
        s_scan(box, "mail", where, text, to);
        free(text);
    }
    return n;
}

static size_t s_check_webhooks(void)
{
    size_t total = 0;
    for (size_t k = 0; k < s_n_receivers; k++) {
        size_t n = harness_receiver_wait(s_receivers[k], 0, 0);
        total += n;
        for (size_t i = 0; i < n; i++) {
            char where[400];
            snprintf(where, sizeof where, "webhook delivery %zu to %s", i, s_receiver_urls[k]);
            s_scan(s_receiver_reader[k], "webhook", where, harness_receiver_head(s_receivers[k], i),
                   NULL);
            s_scan(s_receiver_reader[k], "webhook", where, harness_receiver_body(s_receivers[k], i),
                   NULL);
        }
    }
    return total;
}

/* Waits until the feed holds `subject` (as the administrator sees it). */
static void s_wait_for_event(const char *subject)
{
    for (int i = 0; i < 300; i++) {
        harness_http_response_t *r =
            harness_stack_get(&s_stack, "/v1/events?limit=500&types=no.samhand.");
        char cursor[64] = "";
        bool seen = r->body && strstr(r->body, subject);
        snprintf(cursor, sizeof cursor, "%s", harness_json_text(r, "nextCursor"));
        harness_http_response_free(&r);
        while (!seen && cursor[0]) {
            char path[160];
            snprintf(path, sizeof path, "/v1/events?limit=500&after=%s", cursor);
            r = harness_stack_get(&s_stack, path);
            seen = r->body && strstr(r->body, subject);
            size_t items = json_array_size(json_object_get(r->json, "items"));
            snprintf(cursor, sizeof cursor, "%s", items ? harness_json_text(r, "nextCursor") : "");
            harness_http_response_free(&r);
        }
        if (seen)
            return;
        usleep(100 * 1000);
    }
    fail_msg("the feed never showed %s", subject);
}

/* Waits until no receiver and no mailbox got anything for a second. */
static void s_wait_for_quiet(void)
{
    size_t last = (size_t)-1;
    for (int i = 0; i < 60; i++) {
        size_t now = harness_smtp_wait(s_smtp, 0, 0);
        for (size_t k = 0; k < s_n_receivers; k++)
            now += harness_receiver_wait(s_receivers[k], 0, 0);
        if (now == last)
            return;
        last = now;
        usleep(1000 * 1000);
    }
}

/* Reads everything as every third principal: three readers side by side. */
#define N_READERS 3

static void *s_reader_main(void *arg)
{
    size_t first = (size_t)(intptr_t)arg;
    for (size_t i = first; i < s_n_principals; i += N_READERS)
        if (s_principals[i].is_caller && !s_principals[i].is_revoked)
            s_read_everything((int)i);
    return NULL;
}

static void *s_revoked_reader_main(void *arg)
{
    (void)arg;
    s_read_everything(s_revoked);
    return NULL;
}

/* The leaks, one line per channel and canary with every principal that got it. */
static void s_print_leaks(void)
{
    bool *done = calloc(s_n_leaks + 1, sizeof *done);
    printf("LEAKS: %zu (principal, channel, canary); by channel and canary:\n", s_n_leaks);
    for (size_t i = 0; i < s_n_leaks; i++) {
        if (done[i])
            continue;
        printf("LEAK %s | %s | to: %s", s_leaks[i].channel, s_leaks[i].canary,
               s_principals[s_leaks[i].principal].name);
        for (size_t k = i + 1; k < s_n_leaks; k++)
            if (!done[k] && strcmp(s_leaks[k].channel, s_leaks[i].channel) == 0 &&
                strcmp(s_leaks[k].canary, s_leaks[i].canary) == 0) {
                printf(", %s", s_principals[s_leaks[k].principal].name);
                done[k] = true;
            }
        printf(" | e.g. %s\n", s_leaks[i].where);
    }
    free(done);
}

/* --------------------------------------------------------------- test */

static int s_setup(void **state)
{
    setenv("SAMHAND_REMINDER_ON", "never", 1);
    s_stats_queries();
    s_smtp = harness_smtp_start();
    setenv("SAMHAND_SMTP_URL", harness_smtp_url(s_smtp), 1);
    setenv("SAMHAND_MAIL_FROM", "post@helsefellesskapet.no", 1);
    setenv("SAMHAND_WEBHOOK_RETRY_BASE_MS", "100", 1);
    harness_stack_start(&s_stack, harness_database_url());
    return 0;
}

static int s_teardown(void **state)
{
    harness_stack_stop(&s_stack);
    for (size_t k = 0; k < s_n_receivers; k++)
        harness_receiver_stop(&s_receivers[k]);
    harness_smtp_stop(&s_smtp);
    return 0;
}

static void s_print_canaries(void)
{
    printf("canaries (%zu), each with who may see it:\n", s_n_canaries);
    for (size_t i = 0; i < s_n_canaries; i++) {
        const s_canary_t *c = &s_canaries[i];
        char orgs[32] = "";
        for (int o = 0; o < N_ORGS; o++)
            if (c->orgs & ORG(o))
                snprintf(orgs + strlen(orgs), sizeof orgs - strlen(orgs), "%s%s",
                         orgs[0] ? "+" : "", s_org_names[o]);
        printf("  %-44s %s%s%s%s%s%s\n", c->token, s_audience_names[c->audience],
               orgs[0] ? " of " : "", orgs,
               c->audience == A_EXEMPT || c->audience == A_RUNS
                   ? (c->committee & COMMITTEE(C1) ? " of C1" : " of C2")
                   : "",
               c->self >= 0 ? " (and the key itself)" : "",
               c->is_late ? " (made after revocation)" : "");
    }
}

static void test_no_principal_sees_a_canary_it_may_not(void **state)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    s_build_directory();
    /* every party's system subscribes to everything; the quality key too */
    s_subscribe(s_org_key[H][6], "h", s_subscription[H]);
    s_subscribe(s_org_key[M1][6], "m1", s_subscription[M1]);
    s_subscribe(s_org_key[M2][6], "m2", s_subscription[M2]);
    s_subscribe(s_revoked, "revoked", s_subscription_revoked);
    s_build_meetings();
    s_build_deviations();
    s_revoke();
    s_build_committee_work();
    s_after_revocation();

    /* every id there is, as the administrator sees them: items, cases,
     * attachments of every meeting */
    for (size_t m = 0; m < s_n_ids[K_MEETING]; m++) {
        char path[128];
        snprintf(path, sizeof path, "/v1/meetings/%s", s_ids[K_MEETING][m]);
        harness_http_response_t *r = s_admin_send("GET", path, NULL, 200);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(r->json, "items"), i, item)
        {
            s_id_in(K_ITEM, json_string_value(json_object_get(item, "id")), s_ids[K_MEETING][m]);
            s_id(K_CASE, json_string_value(json_object_get(item, "caseId")));
        }
        harness_http_response_free(&r);
    }

    /* the changes, allowed or not */
    s_mark_duplicate_oracle();
    for (size_t i = 0; i < s_n_principals; i++)
        if (s_principals[i].is_caller)
            s_changes((int)i);
    /* the last events of both services: everything before them has reached notify */
    s_create("/v1/organizations",
             "{\"name\":\"Frosta kommune\",\"organizationNumber\":\"944305483\",\"kind\":"
             "\"MUNICIPALITY\"}",
             K_ORG, s_marker_org);
    s_report(H, M2, "d17-last", false, true, s_dev_marker);
    s_wait_for_event(s_marker_org);
    s_wait_for_event(s_dev_marker);
    s_wait_for_event(s_dev_late);
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);

    /* the stream first: a stream whose reader went away is closed at its
     * next ping (15 s), and one still open when the gateway stops makes it
     * call a bridge already gone (gateway_stream.c s_poll: a bug of its own) */
    size_t streamed = s_read_streams();
    struct timespec streamed_at;
    clock_gettime(CLOCK_MONOTONIC, &streamed_at);
    /* every principal reads everything */
    pthread_t readers[N_READERS + 1];
    for (size_t t = 0; t < N_READERS; t++)
        pthread_create(&readers[t], NULL, s_reader_main, (void *)(intptr_t)t);
    pthread_create(&readers[N_READERS], NULL, s_revoked_reader_main, NULL);
    for (size_t t = 0; t <= N_READERS; t++)
        pthread_join(readers[t], NULL);
    s_wait_for_quiet();
    size_t hooks = s_check_webhooks();
    size_t mails = s_check_mails();
    struct timespec t2;
    clock_gettime(CLOCK_MONOTONIC, &t2);

    s_print_canaries();
    /* what was covered */
    size_t callers = 0;
    for (size_t i = 0; i < s_n_principals; i++)
        callers += s_principals[i].is_caller;
    printf("principals: %zu calling (", callers);
    for (size_t i = 0; i < s_n_principals; i++)
        if (s_principals[i].is_caller)
            printf("%s%s", i ? "; " : "", s_principals[i].name);
    printf("), and as readers of channels: mailboxes, the revoked key's subscription\n");
    printf("GET routes of the table (calls, answers 200):\n");
    bool uncovered = false;
    for (size_t i = 0; i < gateway_routes_count; i++) {
        if (strcmp(gateway_routes[i].method, "GET") != 0)
            continue;
        printf("  %-52s %6zu %6zu%s\n", gateway_routes[i].path, s_route_calls[i], s_route_ok[i],
               s_route_ok[i] ? "" : "  NOT COVERED");
        uncovered = uncovered || s_route_ok[i] == 0;
    }
    printf("the feed: %zu events for the administrator\n", s_admin_feed_events);
    printf("also: /v1/events/stream (%zu events streamed to the administrator), /v1/me, "
           "/v1/sign-in, /openapi.json, /healthz, /readyz, /metrics; %zu webhook deliveries to "
           "%zu endpoints; %zu mails; changes tried by every principal\n",
           streamed, hooks, s_n_receivers, mails);
    printf("answers and messages scanned: %zu; build %.1f s, reading %.1f s\n", s_n_checked,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
           (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9);
    printf("the revoked key's subscription repointed by M2/integration: %ld\n", s_repoint_status);

    if (s_n_leaks)
        s_print_leaks();
    if (s_oracle_finding[0])
        printf("ORACLE %s\n", s_oracle_finding);
    fflush(stdout);
    for (;;) { /* see above: no stream open when the stack stops */
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - streamed_at.tv_sec > 17)
            break;
        usleep(250 * 1000);
    }
    size_t unseen = 0;
    for (size_t i = 0; i < s_n_canaries; i++)
        if (!s_canaries[i].seen) {
            printf("NEVER SEEN by anyone who may: %s\n", s_canaries[i].token);
            unseen++;
        }
    if (uncovered)
        fail_msg("a GET route of the table is not covered: give it ids or a query here");
    /* a canary nobody reads proves nothing */
    assert_int_equal(unseen, 0);
    assert_true(streamed > 0);
    assert_true(hooks > 0);
    assert_true(mails > 0);
    assert_int_equal(s_oracle_finding[0], '\0');
    assert_int_equal(s_n_leaks, 0);
    /* and where the full title is kept from them, the public title stands */
    for (size_t i = 0; i < N_PUBLIC_CHANNELS; i++) {
        printf("public title read under %s: %zu times\n", s_public_channels[i], s_public_seen[i]);
        if (!s_public_seen[i])
            fail_msg("no public title under %s", s_public_channels[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_principal_sees_a_canary_it_may_not),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
