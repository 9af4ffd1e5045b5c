-- notify's inbox: every event of agenda and deviation, once (by id), in
-- the order notify received them; the feed's cursor is `seq`.
CREATE TABLE events (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    source text NOT NULL,
    source_sequence bigint NOT NULL,
    type text NOT NULL,
    subject text NOT NULL,
    audience uuid[] NOT NULL DEFAULT '{}',
    event bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
