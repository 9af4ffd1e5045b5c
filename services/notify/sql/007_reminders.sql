-- Reminders: what falls due, from agenda's actions and deviation's
-- reports, and the days whose digest has been planned (once a day, by
-- whichever replica comes first).

CREATE TABLE due_items (
    kind text NOT NULL,                  -- action, deviation_acknowledge, deviation_answer
    id uuid NOT NULL,                    -- the action or report
    title text NOT NULL,                 -- as the digest lists it, without the date
    due_date date,                       -- NULL: nothing due (done, met, paused)
    organization_ids uuid[] NOT NULL DEFAULT '{}', -- reminded at their shared address
    committee_id uuid,                   -- its secretaries are reminded too
    PRIMARY KEY (kind, id)
);
CREATE INDEX due_items_due ON due_items (due_date) WHERE due_date IS NOT NULL;

CREATE TABLE digest_days (
    day date PRIMARY KEY,
    planned_at timestamptz NOT NULL DEFAULT now()
);
