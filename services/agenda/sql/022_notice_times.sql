-- The time each kept notice gave the meeting, where a query needs it: a
-- deputy's call-up states the time of the last notice, not a time the
-- secretariat has drafted since, and a meeting counts as moved when a
-- supplementary notice gives it a new start. Notices kept before this take
-- the meeting's time now (the best that is known of them).
ALTER TABLE notice_versions ADD COLUMN starts_at timestamptz;
UPDATE notice_versions v SET starts_at = m.starts_at FROM meetings m WHERE m.id = v.meeting_id;
ALTER TABLE notice_versions ALTER COLUMN starts_at SET NOT NULL;
