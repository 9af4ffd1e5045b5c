/* A meeting as its reader may see it: loaded with its items and their
 * times, exempt content hidden from those without a standing in the
 * committee, and as its last notice went out to all but those who run
 * the committee. Every aggregate reads meetings through here. */
#include "agenda_checks.h"
#include "agenda_meeting.h"
#include "agenda_scope.h"
#include "samhand_check.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void agenda_meeting_fill_times(Samhand__V1__Meeting *m)
{
    int64_t at = m->start_time ? m->start_time->seconds : 0;
    int minutes = 0;
    for (size_t i = 0; i < m->n_items; i++) {
        Samhand__V1__AgendaItem *item = m->items[i];
        int duration = item->is_withdrawn ? 0 : item->duration_min;
        item->start_time = malloc(sizeof *item->start_time);
        item->end_time = malloc(sizeof *item->end_time);
        samhand__v1__timestamp__init(item->start_time);
        samhand__v1__timestamp__init(item->end_time);
        item->start_time->seconds = at;
        at += (int64_t)duration * 60;
        item->end_time->seconds = at;
        minutes += duration;
    }
    m->agenda_minutes = minutes;
}

static void s_clear_strings(char ***strings, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if ((*strings)[i] != protobuf_c_empty_string)
            free((*strings)[i]);
    free(*strings);
    *strings = NULL;
    *n = 0;
}

/* What someone who is not of the committee sees of an exempt item: its
 * number, time, public title and legal basis; not its title, description,
 * presenters, discussion or decision. An item exempt before public titles
 * reads «Unntatt offentlighet» and its basis. */
static void s_hide_exempt(Samhand__V1__AgendaItem *item)
{
    char title[2048];
    const char *basis = item->exemption_basis;
    if (item->public_title[0])
        snprintf(title, sizeof title, "%s (unntatt offentlighet%s%s)", item->public_title,
                 basis[0] ? ", " : "", basis);
    else
        snprintf(title, sizeof title, "Unntatt offentlighet%s%s", basis[0] ? ", " : "", basis);
    agenda_text_replace(&item->title, title);
    agenda_text_replace(&item->description, "");
    agenda_text_replace(&item->decision, "");
    s_clear_strings(&item->discussion_points, &item->n_discussion_points);
    s_clear_strings(&item->presenters, &item->n_presenters);
}

#define S_SWAP(type, a, b)                                                                         \
    do {                                                                                           \
        type swap_ = (a);                                                                          \
        (a) = (b);                                                                                 \
        (b) = swap_;                                                                               \
    } while (0)

/* Swaps what a notice states (kind, title, time, place, chair, the notice's
 * number and time, and with `with_items` the agenda) between two forms of
 * one meeting; its state, cancellation and minutes are not the notice's. */
static void s_swap_noticed(Samhand__V1__Meeting *a, Samhand__V1__Meeting *b, bool with_items)
{
    S_SWAP(Samhand__V1__Meeting__Kind, a->kind, b->kind);
    S_SWAP(char *, a->title, b->title);
    S_SWAP(Samhand__V1__Timestamp *, a->start_time, b->start_time);
    S_SWAP(Samhand__V1__Timestamp *, a->end_time, b->end_time);
    S_SWAP(char *, a->place, b->place);
    S_SWAP(char *, a->online_url, b->online_url);
    S_SWAP(char *, a->chair_person_id, b->chair_person_id);
    S_SWAP(int32_t, a->notice_version, b->notice_version);
    S_SWAP(Samhand__V1__Timestamp *, a->notice_time, b->notice_time);
    if (with_items) {
        S_SWAP(size_t, a->n_items, b->n_items);
        S_SWAP(Samhand__V1__AgendaItem **, a->items, b->items);
    }
}

static Samhand__V1__AgendaItem *s_item_by_id(Samhand__V1__AgendaItem **items, size_t n,
                                             const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i]->id, id) == 0)
            return items[i];
    return NULL;
}

/* Hides the exempt items from a reader without standing. In a kept notice
 * an item is exempt also when it is exempt now, or gone from the agenda
 * (it may have been made exempt first): making an item exempt takes
 * effect at once, in every notice that carried it. */
static void s_redact(Samhand__V1__Meeting *m, const Samhand__V1__Meeting *draft)
{
    for (size_t i = 0; i < m->n_items; i++) {
        Samhand__V1__AgendaItem *item = m->items[i];
        const Samhand__V1__AgendaItem *now =
            draft ? s_item_by_id(draft->items, draft->n_items, item->id) : item;
        if (!item->is_exempt && now && !now->is_exempt)
            continue;
        if (!item->is_exempt) {
            item->is_exempt = true;
            agenda_text_replace(&item->exemption_basis, now ? now->exemption_basis : "");
        }
        /* a notice kept before the item had a public title: the one it has now */
        if (!item->public_title[0] && now && now->public_title[0])
            agenda_text_replace(&item->public_title, now->public_title);
        s_hide_exempt(item);
    }
}

typedef struct {
    bool lock;      /* for a change: the working draft, locked, the caller's scope checked */
    bool as_public; /* as someone without a standing reads it (events) */
    int version;    /* a notice by its number; 0: what the reader gets by default */
    Samhand__V1__CaseDocument ***docs; /* when set, the case documents shown with it */
    size_t *n_docs;
} s_read_t;

/* A noticed meeting is read as its last notice by everyone but those who
 * run its committee; a cancellation shows at once, and a held meeting is
 * read as it was held (its minutes). */
static bool s_reads_as_noticed(const Samhand__V1__Meeting *m, int standing)
{
    return standing != AGENDA_STANDING_RUNS && m->notice_version > 0 &&
           (m->state == SAMHAND__V1__MEETING__STATE__NOTICE_PUBLISHED ||
            m->state == SAMHAND__V1__MEETING__STATE__CANCELLED);
}

/* Puts notice `version` in place of the working draft's noticed fields;
 * *kept_p then holds the draft's. 0, 1 when that notice was not kept (a
 * notice published before notices were kept), -1 after bus_call_fail. */
static int s_as_notice(bus_call_t *call, Samhand__V1__Meeting *m, int version,
                       Samhand__V1__KeptNotice **kept_p)
{
    int rc = agenda_store_notice_get(call->db, m->id, version, kept_p);
    if (rc < 0)
        return bus_call_fail_db(call, "read the notice");
    if (rc > 0 || !(*kept_p)->meeting) {
        if (*kept_p)
            protobuf_c_message_free_unpacked(&(*kept_p)->base, NULL);
        *kept_p = NULL;
        return 1;
    }
    s_swap_noticed(m, (*kept_p)->meeting, true);
    m->has_unpublished_changes = false;
    return 0;
}

static int s_load(bus_call_t *call, const char *id, const s_read_t *how, Samhand__V1__Meeting **out)
{
    if (!check_uuid(id))
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "meeting %s does not exist", id);
    int rc = agenda_store_meeting_get(call->db, id, how->lock, true, out);
    if (rc < 0)
        return bus_call_fail_db(call, "read meeting");
    /* events of a draft go to those with a key, as drafts do */
    bool known = agenda_caller_known(call);
    if (rc > 0 || (!known && (*out)->state == SAMHAND__V1__MEETING__STATE__DRAFT)) {
        if (rc == 0)
            protobuf_c_message_free_unpacked(&(*out)->base, NULL);
        *out = NULL;
        return bus_call_fail(call, BUS_NOT_FOUND, "id", "meeting %s does not exist", id);
    }
    Samhand__V1__Meeting *m = *out;
    Samhand__V1__KeptNotice *kept = NULL;
    int standing = known && !how->as_public ? agenda_caller_standing(call, m->committee_id)
                                            : AGENDA_STANDING_NONE;
    rc = -1;
    /* a load for a change: the caller must act on this committee */
    if (how->lock && agenda_scope_check_standing(call, standing) != 0)
        goto done;
    if (how->version > m->notice_version) {
        bus_call_fail(call, BUS_NOT_FOUND, "version", "meeting %s has no notice %d", id,
                      how->version);
        goto done;
    }
    int version = how->version;
    if (!version && !how->lock && s_reads_as_noticed(m, standing))
        version = m->notice_version;
    if (version > 0) {
        int as = s_as_notice(call, m, version, &kept);
        if (as < 0)
            goto done;
        if (as > 0 && how->version) {
            bus_call_fail(call, BUS_NOT_FOUND, "version",
                          "notice %d of meeting %s went out before notices were kept", version, id);
            goto done;
        }
    }
    if (standing != AGENDA_STANDING_RUNS)
        m->has_unpublished_changes = false;
    /* the notices' versions came with the meeting's row */
    agenda_meeting_fill_times(m);
    if (standing == AGENDA_STANDING_NONE)
        s_redact(m, kept ? kept->meeting : NULL);
    if (how->docs) {
        if (kept) {
            *how->docs = kept->case_documents, *how->n_docs = kept->n_case_documents;
            kept->case_documents = NULL, kept->n_case_documents = 0;
        } else if (agenda_store_documents_of_meeting(call->db, id, how->docs, how->n_docs) != 0) {
            bus_call_fail_db(call, "read case documents");
            goto done;
        }
    }
    rc = 0;
done:
    if (kept)
        protobuf_c_message_free_unpacked(&kept->base, NULL);
    if (rc != 0) {
        protobuf_c_message_free_unpacked(&m->base, NULL);
        *out = NULL;
    }
    return rc;
}

int agenda_meeting_load(bus_call_t *call, const char *id, bool lock, Samhand__V1__Meeting **out)
{
    const s_read_t how = {.lock = lock};
    return s_load(call, id, &how, out);
}

int agenda_meeting_read(bus_call_t *call, const char *id, int version, Samhand__V1__Meeting **out,
                        Samhand__V1__CaseDocument ***docs, size_t *n_docs)
{
    const s_read_t how = {.version = version, .docs = docs, .n_docs = n_docs};
    return s_load(call, id, &how, out);
}

int agenda_meeting_version_asked(bus_call_t *call, const char *version)
{
    if (check_empty(version))
        return 0;
    char *end = NULL;
    long n = strspn(version, "0123456789") == strlen(version) ? strtol(version, &end, 10) : 0;
    if (n < 1 || n > 100000)
        return bus_call_fail(call, BUS_INVALID_ARGUMENT, "version",
                             "version must be a positive integer: 1 the notice, 2 and on the "
                             "supplementary notices");
    return (int)n;
}

int agenda_meeting_list_as_noticed(bus_call_t *call, Samhand__V1__ListMeetingsResponse *list)
{
    /* without unpublished changes the meeting reads as its last notice
     * already: only those with changes are looked at */
    for (size_t i = 0; i < list->n_items; i++) {
        Samhand__V1__Meeting *m = list->items[i];
        if (!m->has_unpublished_changes)
            continue;
        int standing = agenda_caller_known(call) ? agenda_caller_standing(call, m->committee_id)
                                                 : AGENDA_STANDING_NONE;
        if (!s_reads_as_noticed(m, standing))
            continue;
        Samhand__V1__KeptNotice *kept = NULL;
        int rc = agenda_store_notice_get(call->db, m->id, m->notice_version, &kept);
        if (rc < 0)
            return bus_call_fail_db(call, "read the notice");
        m->has_unpublished_changes = false;
        if (rc == 0 && kept->meeting)
            s_swap_noticed(m, kept->meeting, false);
        if (kept)
            protobuf_c_message_free_unpacked(&kept->base, NULL);
    }
    return 0;
}

Samhand__V1__Meeting *agenda_meeting_public(bus_call_t *call, const char *id,
                                            Samhand__V1__CaseDocument ***docs, size_t *n_docs)
{
    const s_read_t how = {.as_public = true, .docs = docs, .n_docs = n_docs};
    Samhand__V1__Meeting *m = NULL;
    return s_load(call, id, &how, &m) == 0 ? m : NULL;
}

int agenda_meeting_list_committee(bus_call_t *call, const char *committee_id,
                                  Samhand__V1__ListMeetingsResponse **out)
{
    Samhand__V1__ListMeetingsResponse *all = malloc(sizeof *all);
    assert(all);
    samhand__v1__list_meetings_response__init(all);
    all->next_cursor = strdup("");
    agenda_page_t page = {.after = 0, .limit = 500};
    do {
        Samhand__V1__ListMeetingsResponse *list = NULL;
        /* drafts are nobody's meeting yet */
        if (agenda_store_meeting_list(call->db, page, committee_id, NULL, NULL, NULL, false, NULL,
                                      NULL, &list) != 0) {
            protobuf_c_message_free_unpacked(&all->base, NULL);
            return bus_call_fail_db(call, "list meetings");
        }
        if (agenda_meeting_list_as_noticed(call, list) != 0) {
            protobuf_c_message_free_unpacked(&list->base, NULL);
            protobuf_c_message_free_unpacked(&all->base, NULL);
            return -1;
        }
        /* the page's meetings move into the one list */
        all->items = realloc(all->items, (all->n_items + list->n_items + 1) * sizeof *all->items);
        assert(all->items);
        memcpy(all->items + all->n_items, list->items, list->n_items * sizeof *list->items);
        all->n_items += list->n_items;
        list->n_items = 0;
        page.after = list->next_cursor[0] ? strtoll(list->next_cursor, NULL, 10) : 0;
        protobuf_c_message_free_unpacked(&list->base, NULL);
    } while (page.after);
    *out = all;
    return 0;
}
