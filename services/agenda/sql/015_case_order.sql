-- Cases in the order they were started, for the search's pages.
ALTER TABLE cases ADD COLUMN row_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE;
