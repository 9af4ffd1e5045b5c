-- The category code list in versions (see ../data/README.md): each version
-- with the date of the list it follows and what it is; a report keeps the
-- version it was coded with; each code a version retires maps to the code
-- of that version that takes its place, so statistics count a report of
-- any version under the codes of today's.
CREATE TABLE category_versions (
    version integer PRIMARY KEY,
    published date NOT NULL,
    title text NOT NULL,
    comment text NOT NULL DEFAULT '',
    actor text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO category_versions (version, published, title, actor) VALUES
  (1, '2023-01-01', 'Samhandlingsavvik og hendelsestyper, første liste', 'system');

CREATE TABLE category_mappings (
    version integer NOT NULL REFERENCES category_versions (version), -- the version that retired from_code
    from_code text NOT NULL REFERENCES categories (code),
    to_code text NOT NULL REFERENCES categories (code),
    PRIMARY KEY (from_code)
);

ALTER TABLE reports ADD COLUMN category_version integer;
UPDATE reports SET category_version = 1 WHERE category_code IS NOT NULL;
