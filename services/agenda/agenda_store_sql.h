/* SQL fragments the agenda store files share: who runs a committee, what a
 * reader of a noticed meeting sees, whether an item is exempt. Private to
 * agenda_store_*.c. */
#ifndef AGENDA_STORE_SQL_H
#define AGENDA_STORE_SQL_H

#include "agenda_store.h"

/* Whether the reader (administrator, its staff organisation, subject: the
 * parameters named) runs the committee of id `committee`: the standing
 * AGENDA_STANDING_RUNS of agenda_caller_standing, asked of many committees
 * in one query. */
#define READER_RUNS(committee, admin, org, subject)                                                \
    "(" admin "::boolean OR coalesce((SELECT k.secretariat_organization_id = " org "::uuid "       \
    "FROM committees k WHERE k.id = " committee "), false) OR EXISTS (SELECT 1 FROM "              \
    "memberships ms JOIN persons p ON p.id = ms.person_id WHERE ms.committee_id = " committee      \
    " AND p.principal_subject = " subject " AND ms.role IN ('SECRETARY', 'CHAIR', "                \
    "'VICE_CHAIR') AND ms.term_from <= current_date AND (ms.term_to IS NULL OR ms.term_to >= "     \
    "current_date)))"
/* Whether item `i` of meeting `m` was drafted after the meeting's notice
 * and no notice has carried it yet: only those who run the committee
 * (`runs`) read it. */
#define DRAFTED_AFTER_NOTICE(i, m, runs)                                                           \
    "(" m ".state IN ('NOTICE_PUBLISHED', 'CANCELLED') AND EXISTS (SELECT 1 FROM "                 \
    "notice_versions v WHERE v.meeting_id = " m ".id) AND NOT EXISTS (SELECT 1 FROM "              \
    "notice_items n WHERE n.meeting_id = " m ".id AND n.item_id = " i ".id) AND NOT " runs ")"

/* Whether agenda item `i` is exempt as those without a standing read it:
 * exempt now (an exemption takes effect at once, in every notice) or in
 * the last notice that carried it (lifting one waits for the notice that
 * says so). */
#define ITEM_IS_EXEMPT(i)                                                                          \
    "(" i ".is_exempt OR coalesce((SELECT n.is_exempt FROM notice_items n WHERE n.item_id = " i    \
    ".id ORDER BY n.version DESC LIMIT 1), false))"
/* The public title of agenda item `i` as those without a standing read it:
 * the last notice's that carried it; none for an item drafted after its
 * meeting's notice that no notice has carried yet; the draft's before any
 * notice (or when the notice had none: an exemption made since). */
#define ITEM_NOTICED_PUBLIC_TITLE(i)                                                               \
    "coalesce(nullif((SELECT n.public_title FROM notice_items n WHERE n.item_id = " i              \
    ".id ORDER BY n.version DESC LIMIT 1), ''), CASE WHEN NOT EXISTS (SELECT 1 FROM notice_items " \
    "n WHERE n.item_id = " i ".id) AND EXISTS (SELECT 1 FROM notice_versions v WHERE "             \
    "v.meeting_id = " i ".meeting_id) THEN '' ELSE " i ".public_title END)"

/* Whether the agenda item a row came from is exempt (ITEM_IS_EXEMPT). */
#define ITEM_EXEMPT(table)                                                                         \
    "coalesce((SELECT " ITEM_IS_EXEMPT("i") " FROM agenda_items i WHERE i.id = " table             \
                                            ".item_id), false)"

/* The public title of the agenda item a row came from (ITEM_NOTICED_PUBLIC_TITLE). */
#define ITEM_PUBLIC_TITLE(table)                                                                   \
    "coalesce((SELECT " ITEM_NOTICED_PUBLIC_TITLE("i") " FROM agenda_items i WHERE i.id = " table  \
                                                       ".item_id), '')"

/* When the meeting `table`.meeting_id starts, as its last notice gave it
 * (its draft's before any notice). */
#define MEETING_NOTICED_START(table)                                                               \
    "(SELECT coalesce(v.starts_at, m.starts_at) FROM meetings m LEFT JOIN notice_versions v ON "   \
    "v.meeting_id = m.id AND v.version = m.notice_version WHERE m.id = " table ".meeting_id)"

/* An Attendance of a row (person_id, status, deputy_for, the person's
 * name), for the stores that read attendance (agenda_store_meeting.c). */
ProtobufCMessage *agenda_rows_attendance(const PGresult *res, int row);

#endif
