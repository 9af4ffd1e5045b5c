-- A delivery's event is no longer checked by a foreign key. Every delivery
-- is made by the fan-out's one statement from the event rows that same
-- statement inserts, and events are never deleted, so the check could only
-- pass; but it ran once a delivery (50 for an event to 50 subscriptions),
-- each a cached plan made when the inbox was small: a sequential scan of
-- events, kept while the inbox grew, took a run of 256 events to 50
-- subscriptions 6 s of checks instead of 0.2 s, and a follower behind
-- applied ever longer runs (caught by the bench's sampler, 2026-12-03).
ALTER TABLE deliveries DROP CONSTRAINT IF EXISTS deliveries_event_seq_fkey;
