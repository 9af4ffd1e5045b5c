-- Meetings with their agendas, the committees' case-number sequences, and
-- the notices (first and supplementary) with what each changed.

CREATE TABLE meetings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    committee_id uuid NOT NULL REFERENCES committees (id),
    kind text NOT NULL,
    title text NOT NULL DEFAULT '',
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    place text NOT NULL DEFAULT '',
    online_url text NOT NULL DEFAULT '',
    chair_person_id uuid REFERENCES persons (id),
    state text NOT NULL DEFAULT 'DRAFT',
    notice_version integer NOT NULL DEFAULT 0,
    notice_at timestamptz,
    cancel_reason text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
CREATE INDEX meetings_committee ON meetings (committee_id, starts_at);

CREATE TABLE agenda_items (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    meeting_id uuid NOT NULL REFERENCES meetings (id),
    position integer NOT NULL CHECK (position > 0),
    kind text NOT NULL,
    title text NOT NULL CHECK (title <> ''),
    description text NOT NULL DEFAULT '',
    presenters text[] NOT NULL DEFAULT '{}',
    duration_min integer NOT NULL CHECK (duration_min BETWEEN 0 AND 1440),
    is_exempt boolean NOT NULL DEFAULT false,
    exemption_basis text NOT NULL DEFAULT '',
    case_year integer,
    case_seq integer,
    case_number text,
    is_withdrawn boolean NOT NULL DEFAULT false,
    added_in_version integer NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- positions shift inside one transaction when an item moves
    UNIQUE (meeting_id, position) DEFERRABLE INITIALLY DEFERRED
);

-- One sequence per committee per calendar year; a number once given stays.
CREATE TABLE case_sequences (
    committee_id uuid NOT NULL REFERENCES committees (id),
    year integer NOT NULL,
    last_number integer NOT NULL,
    PRIMARY KEY (committee_id, year)
);
CREATE INDEX agenda_items_meeting ON agenda_items (meeting_id, position);

-- Changes to a published agenda, waiting for (version NULL) or carried by
-- a supplementary notice.
CREATE TABLE agenda_changes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id uuid NOT NULL REFERENCES meetings (id),
    version integer,
    description text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agenda_changes_pending ON agenda_changes (meeting_id) WHERE version IS NULL;
