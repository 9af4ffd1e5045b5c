-- The partnership's settings, versioned: each version holds from its
-- valid_from until the next one's. A version is never changed, so the
-- table is the audit trail of every change (who, for whom, when, why).
-- Version 1 is written from the service's environment the first time the
-- settings are needed (deviation_settings.c), dated far enough back to
-- cover every report made before settings existed.
CREATE TABLE settings_versions (
    version integer PRIMARY KEY,
    valid_from date NOT NULL,
    acknowledge_length integer,   -- NULL: no acknowledgement deadline
    acknowledge_unit text CHECK (acknowledge_unit IN ('WORKING_DAYS', 'CALENDAR_DAYS', 'WEEKS')),
    answer_length integer NOT NULL,
    answer_unit text NOT NULL CHECK (answer_unit IN ('WORKING_DAYS', 'CALENDAR_DAYS', 'WEEKS')),
    statistics_period text NOT NULL
        CHECK (statistics_period IN ('TERTIAL', 'QUARTER', 'HALF_YEAR', 'MONTH')),
    reminder_days integer NOT NULL,
    comment text NOT NULL DEFAULT '',
    actor text NOT NULL DEFAULT '',
    actor_organization_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((acknowledge_length IS NULL) = (acknowledge_unit IS NULL))
);

-- The version whose deadline rule a report keeps: the one in force at its
-- submission. Reports submitted before settings existed are version 1's.
ALTER TABLE reports ADD COLUMN settings_version integer;
UPDATE reports SET settings_version = 1 WHERE submitted_at IS NOT NULL;
