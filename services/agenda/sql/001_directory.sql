-- The directory (organisations, persons) and the committees with their
-- memberships. row_seq orders lists and backs their cursors.

CREATE TABLE organizations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    name text NOT NULL CHECK (name <> ''),
    organization_number char(9) NOT NULL UNIQUE,
    kind text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE persons (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    name text NOT NULL CHECK (name <> ''),
    title text NOT NULL DEFAULT '',
    organization_id uuid NOT NULL REFERENCES organizations (id),
    email text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_organization ON persons (organization_id, row_seq);

CREATE TABLE committees (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    name text NOT NULL CHECK (name <> ''),
    short_name text NOT NULL DEFAULT '',
    kind text NOT NULL,
    parent_id uuid REFERENCES committees (id),
    mandate text NOT NULL DEFAULT '',
    notice_period_days integer NOT NULL CHECK (notice_period_days BETWEEN 0 AND 365),
    case_number_format text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id <> id)
);
CREATE INDEX committees_parent ON committees (parent_id, row_seq);

CREATE TABLE memberships (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    committee_id uuid NOT NULL REFERENCES committees (id),
    person_id uuid NOT NULL REFERENCES persons (id),
    role text NOT NULL,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    term_from date NOT NULL,
    term_to date,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (term_to IS NULL OR term_to >= term_from)
);
CREATE INDEX memberships_committee ON memberships (committee_id, row_seq);
