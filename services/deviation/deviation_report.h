/* What the files of a deviation report share: who may see it and on which
 * side (deviation_access.c), its checks, commit and deadlines
 * (deviation_report.c) and its workflow (deviation_step.c). Functions that
 * take a call and return int give 0, or -1 having failed the call. */
#ifndef DEVIATION_REPORT_H
#define DEVIATION_REPORT_H

#include "deviation_server.h"

#include <stdbool.h>

#define DEVIATION_TEXT_MAX_CHARS 20000
#define DEVIATION_SHORT_MAX_CHARS 300

/* The sides a caller may be on of a report, as bits. */
typedef enum {
    DEVIATION_SIDE_REPORTER = 1,
    DEVIATION_SIDE_RECEIVER = 2,
    DEVIATION_SIDE_QUALITY = 4,
    DEVIATION_SIDE_PASSED = 8,   /* a receiver it was forwarded from: reads it, takes no step */
    DEVIATION_SIDE_REVIEWER = 16 /* a leader of the reporting organisation (leader review) */
} deviation_side_t;

/* How often a report may be forwarded: each receiver it passed through
 * keeps reading it, and an event reaches every one of them. */
#define DEVIATION_FORWARDS_MAX 12

typedef Samhand__V1__DeviationReport deviation_report_t;
#define STATE(name) SAMHAND__V1__DEVIATION_REPORT__STATE__##name
#define BIT(name) (1u << STATE(name))

/* Who may see a report: the one rule behind every read, the answer of every
 * change, every refusal (a report one may not see answers as one that does
 * not exist) and the audience of every event. While it is a draft, the
 * principal who wrote it alone; in leader review, its reporting
 * organisation alone (no receiver, no quality role of any other party); once submitted, its
 * reporting and its receiving organisation, the receivers it was forwarded from, and the
 * partnership's quality roles. */
typedef struct {
    const char *organization_ids[2 + DEVIATION_FORWARDS_MAX];
    size_t n_organization_ids;
    const char *subject;      /* only this principal, or NULL */
    bool is_seen_by_quality;  /* and quality roles, whatever their organisation */
    const char *organization; /* the organisation an event is for */
} deviation_audience_t;

/* ---- access (deviation_access.c) */

const char *deviation_caller_organization(bus_call_t *call); /* "" when none */
const char *deviation_caller_subject(bus_call_t *call);      /* "" when none */
/* Partnership-wide quality roles (and administrators) see every report:
 * the role made for no organisation; a party's are that party's. */
bool deviation_caller_is_quality(bus_call_t *call);
/* A leader of an organisation (role "leader"): reviews its reports when
 * the partnership has leader review. */
bool deviation_caller_is_leader(bus_call_t *call);
/* The partnership's own quality staff: the quality role for no party (a
 * key made without an organisation). They alone, beside the reporting
 * side, are shown who reported an anonymous report. */
bool deviation_caller_is_partnership_quality(bus_call_t *call);
/* Whether the caller, on `sides` of `r`, is shown who reported it: always
 * unless it is anonymous; then the reporting side and the partnership's
 * quality staff only, never a role of any receiving organisation. */
bool deviation_sees_reporter(bus_call_t *call, const deviation_report_t *r, int sides);
deviation_audience_t deviation_audience(const deviation_report_t *r);
/* The caller's sides of the report; 0: it may not see it. */
int deviation_sides(bus_call_t *call, const deviation_report_t *r);
/* Whether the caller may see the report `id` (false for no such report,
 * and when it cannot be read). */
bool deviation_may_see(bus_call_t *call, const char *id);
/* A string field set anew; an empty one of an unpacked message is
 * protobuf-c's shared empty string, not ours to free. */
void deviation_replace_text(char **field, const char *value);
/* An anonymous report without who reported it: no name, no e-mail, no
 * principal on the reporting side's steps. */
void deviation_hide_reporter(deviation_report_t *r);
/* The deadlines' status as of today. */
void deviation_deadline_status(deviation_report_t *r);
/* Deadlines, the caller's next steps, anonymity towards the receiver. */
void deviation_present(bus_call_t *call, deviation_report_t *r);
/* Logs that the caller was shown these reports, and of the anonymous ones
 * whose reporter it is shown (deviation_sees_reporter, not being on their
 * reporting side) a REPORTER read besides; a read that cannot be logged is
 * not given. */
int deviation_log_reads(bus_call_t *call, deviation_report_t *const *reports, size_t n,
                        const char *how);
/* Logs one read of report `id` of its own kind (`how`: ANALYSIS, its joint
 * analysis or final report; REPORTER), or fails the call: 0 or -1. */
int deviation_log_read(bus_call_t *call, const char *id, const char *how);
/* Loads a report the caller may see (`lock`: for the transaction); 404 for
 * anyone else. The caller frees *out. */
int deviation_load(bus_call_t *call, const char *id, bool lock, deviation_report_t **out);

/* ---- the report (deviation_report.c) */

const char *deviation_state_name(int state);
/* Notes an error for each text field of `msg` holding an identity number
 * (bus_call_add_error); deviation_scan fails the call with them. */
void deviation_scan_note(bus_call_t *call, const ProtobufCMessage *msg);
/* Refuses identity numbers in every text field of `msg`, naming each. */
int deviation_scan(bus_call_t *call, const ProtobufCMessage *msg);
/* Notes every error of the form (bus_call_add_error); -1 having failed the
 * call only when the code list cannot be read. */
int deviation_check_form(bus_call_t *call, const Samhand__V1__CreateDeviationRequest *req);
/* What a report needs before it is submitted, every field it lacks. */
int deviation_check_complete(bus_call_t *call, const deviation_report_t *r);
/* Submits `r` in the call's transaction: deadlines, reference, history,
 * the step `action` (submit, approve) from its state. A draft goes first
 * to the reporting organisation's leader (IN_REVIEW) when the settings in
 * force have leader review. *event: the event's name ("submitted", or
 * "review_requested"). */
int deviation_submit(bus_call_t *call, deviation_report_t *r, const char *action,
                     const char *comment, const char **event);
/* Appends the event `type` of `r` for those who may see it, as its
 * receiver may see it (an anonymous one without who reported it). 0 or -1. */
int deviation_append_event(db_t *db, const char *type, deviation_report_t *r);
/* The dispute of `r` goes to the committee the partnership names in the
 * settings in force `today`, if any (deviation_dispute.c). */
int deviation_dispute_open(bus_call_t *call, deviation_report_t *r, const char *today);
/* Commits the change of report `id` with its event
 * no.samhand.deviation.<event>, and replies with the report. */
int deviation_commit(bus_call_t *call, const char *id, const char *event);
/* The date `days` working days after `from`, both YYYY-MM-DD. */
void deviation_add_days(const char *from, int days, char out[11]);

/* ---- the workflow (deviation_step.c) */

void deviation_steps_allowed(deviation_report_t *r, int sides);

#endif
