-- Case documents (saksfremlegg) of agenda items and their attachments,
-- kept in the database with their SHA-256.

CREATE TABLE case_documents (
    item_id uuid PRIMARY KEY REFERENCES agenda_items (id),
    responsible text[] NOT NULL DEFAULT '{}',
    case_officers text[] NOT NULL DEFAULT '{}',
    proposed_decisions text[] NOT NULL DEFAULT '{}',
    background text NOT NULL DEFAULT '',
    assessment text NOT NULL DEFAULT '',
    referenced_case_ids uuid[] NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE attachments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    item_id uuid NOT NULL REFERENCES agenda_items (id),
    filename text NOT NULL CHECK (filename <> ''),
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 bytea NOT NULL,
    content bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_item ON attachments (item_id, created_at);
