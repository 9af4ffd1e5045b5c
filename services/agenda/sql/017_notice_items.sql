-- What each kept notice said, where a query needs it: its title and place,
-- and its agenda items by id and title. A search by those who read a
-- noticed meeting as its last notice matches that notice's words, not the
-- draft after it; a case started by an item drafted after the notice is
-- theirs only once a notice carries the item.
ALTER TABLE notice_versions
    ADD COLUMN title text NOT NULL DEFAULT '',
    ADD COLUMN place text NOT NULL DEFAULT '';

CREATE TABLE notice_items (
    meeting_id uuid NOT NULL,
    version integer NOT NULL,
    item_id uuid NOT NULL,
    title text NOT NULL,
    is_exempt boolean NOT NULL,
    PRIMARY KEY (meeting_id, version, item_id),
    FOREIGN KEY (meeting_id, version) REFERENCES notice_versions (meeting_id, version)
);
CREATE INDEX notice_items_item ON notice_items (item_id);

-- The notices kept before this: the meeting's words now, and the items
-- that existed when the notice went out.
UPDATE notice_versions v SET title = m.title, place = m.place FROM meetings m
    WHERE m.id = v.meeting_id;
INSERT INTO notice_items (meeting_id, version, item_id, title, is_exempt)
    SELECT v.meeting_id, v.version, i.id, i.title, i.is_exempt
    FROM notice_versions v JOIN agenda_items i ON i.meeting_id = v.meeting_id
    WHERE i.created_at <= v.published_at;
