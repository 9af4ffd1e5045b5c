-- A report's reference (AVV-2026-0042) is the year's number, taken from
-- one sequence, less the year's base: the sequence's value before the
-- year's first number. Taken from a sequence, a number waits for no other
-- submission's commit (the counter row of reference_sequences was locked
-- from a submission's number to its commit, so submissions ran one at a
-- time); a number taken by a transaction that then failed is not given
-- again, so a year's references may have gaps, as case numbers do in the
-- parties' own systems.
CREATE SEQUENCE reference_numbers;
CREATE TABLE reference_years (
    year integer PRIMARY KEY,
    base bigint NOT NULL
);
-- the years so far go on from their last number: the sequence starts at 1
INSERT INTO reference_years (year, base) SELECT year, -last_number FROM reference_sequences;
DROP TABLE reference_sequences;
