-- E-mail: who is who (a read model of agenda's persons, committees and
-- memberships, fed by its events) and the outgoing mail queue.

CREATE TABLE people (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    email text NOT NULL DEFAULT '',
    organization_id uuid
);

CREATE TABLE committees (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    short_name text NOT NULL DEFAULT ''
);

CREATE TABLE memberships (
    id uuid PRIMARY KEY,
    committee_id uuid NOT NULL,
    person_id uuid NOT NULL,
    role text NOT NULL,
    term_from date NOT NULL,
    term_to date
);
CREATE INDEX memberships_committee ON memberships (committee_id);

CREATE TABLE mails (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id uuid NOT NULL,
    kind text NOT NULL,
    to_address text NOT NULL,
    subject text NOT NULL,
    html text NOT NULL,
    calendar text,
    state text NOT NULL DEFAULT 'PENDING',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    UNIQUE (event_id, to_address)
);
CREATE INDEX mails_pending ON mails (next_attempt_at) WHERE state = 'PENDING';
