-- The time each kept notice gave the meeting, where a query needs it: a
-- deputy's call-up, a member's own meetings, the meeting list's window and
-- a case's treatments state the time of the last notice, not a time the
-- secretariat has drafted since, and a meeting counts as moved when a
-- supplementary notice gives it a new start. Notices kept before this take
-- the meeting's times now (the best that is known of them: a meeting with
-- a drafted change pending at the upgrade reads its drafted time until its
-- next notice).
ALTER TABLE notice_versions ADD COLUMN starts_at timestamptz, ADD COLUMN ends_at timestamptz;
UPDATE notice_versions v SET starts_at = m.starts_at, ends_at = m.ends_at FROM meetings m
    WHERE m.id = v.meeting_id;
ALTER TABLE notice_versions ALTER COLUMN starts_at SET NOT NULL,
    ALTER COLUMN ends_at SET NOT NULL;
