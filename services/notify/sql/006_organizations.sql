-- The organisations of agenda's directory, from its events: to write to an
-- organisation's shared address (a new deviation for it to answer).
CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    contact_email text
);
