-- The PDFs attached to a meeting's mails (the notice, the minutes), kept
-- with the mail queue from the moment the event is applied: a mail goes
-- out as it was planned even after a restart, or while agenda is away,
-- and every retry sends the same bytes. One row a variant of an event
-- (the public's, the members'), shared by every mail that carries it.
CREATE TABLE mail_documents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id uuid NOT NULL,
    variant text NOT NULL,
    filename text NOT NULL,
    content_type text NOT NULL,
    body bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (event_id, variant)
);

ALTER TABLE mails ADD COLUMN document_id uuid REFERENCES mail_documents (id);
CREATE INDEX mails_document ON mails (document_id) WHERE document_id IS NOT NULL;
