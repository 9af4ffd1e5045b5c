-- Every notice of a meeting as it went out (1 the notice, 2.. the
-- supplementary notices), kept whole at its publication: the public and the
-- members read a noticed meeting as its last notice, whatever the
-- secretariat has drafted since, and any earlier notice can be fetched.
-- `notice` is a samhand.v1.KeptNotice (the meeting, its agenda and case
-- documents, exempt content included: it is redacted when read, as the
-- working draft is). Notices published before this table have no copy.
CREATE TABLE notice_versions (
    meeting_id uuid NOT NULL REFERENCES meetings (id),
    version integer NOT NULL CHECK (version > 0),
    published_at timestamptz NOT NULL DEFAULT now(),
    notice bytea NOT NULL,
    PRIMARY KEY (meeting_id, version)
);
