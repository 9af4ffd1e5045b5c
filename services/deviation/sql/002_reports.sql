-- Deviation reports, their workflow history, and the category code list.

CREATE TABLE categories (
    code text PRIMARY KEY,
    name text NOT NULL,
    axis text NOT NULL CHECK (axis IN ('NOKUP', 'SAMHANDLING')),
    version integer NOT NULL,
    retired_in integer,
    sort_order integer NOT NULL
);

CREATE TABLE reports (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    reference text UNIQUE,
    state text NOT NULL,
    reporting_organization_id uuid NOT NULL,
    reporting_unit text NOT NULL DEFAULT '',
    receiving_organization_id uuid NOT NULL,
    reporter_subject text NOT NULL DEFAULT '',
    reporter_name text NOT NULL DEFAULT '',
    reporter_email text NOT NULL DEFAULT '',
    is_anonymous boolean NOT NULL DEFAULT false,
    occurred_at timestamptz,
    discovered_at timestamptz,
    is_patient_related boolean NOT NULL DEFAULT false,
    type text,
    category_code text REFERENCES categories (code),
    actual_consequence text NOT NULL DEFAULT '',
    possible_consequence text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    immediate_measures text NOT NULL DEFAULT '',
    improvement_suggestion text NOT NULL DEFAULT '',
    agreement_clause text NOT NULL DEFAULT '',
    answer text NOT NULL DEFAULT '',
    rejection_reason text NOT NULL DEFAULT '',
    duplicate_of uuid REFERENCES reports (id),
    submitted_at timestamptz,
    acknowledged_at timestamptz,
    answered_at timestamptz,
    closed_at timestamptz,
    acknowledge_due date,
    answer_due date,
    paused_on date,
    due_soon_notified boolean NOT NULL DEFAULT false,
    overdue_notified boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reports_reporting ON reports (reporting_organization_id, row_seq);
CREATE INDEX reports_receiving ON reports (receiving_organization_id, row_seq);
CREATE INDEX reports_submitted ON reports (submitted_at);

-- Human references, one sequence a year: AVV-2023-0007.
CREATE TABLE reference_sequences (
    year integer PRIMARY KEY,
    last_number integer NOT NULL
);

CREATE TABLE transitions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report_id uuid NOT NULL REFERENCES reports (id),
    action text NOT NULL,
    from_state text NOT NULL,
    to_state text NOT NULL,
    comment text NOT NULL DEFAULT '',
    actor text NOT NULL DEFAULT '',
    actor_organization_id uuid,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transitions_report ON transitions (report_id, id);
