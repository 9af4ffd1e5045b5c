-- Improvement proposals (forbedringsforslag) are not deviations: their
-- references are a series of their own, FOR-2026-0001, counted apart from
-- the deviations' AVV-2026-0042 (each series from its own sequence less
-- its year's base, as 010_reference_numbers.sql). Proposals referenced
-- before this keep the AVV- reference they were given.
ALTER TABLE reference_years ADD COLUMN series text NOT NULL DEFAULT 'AVV'
    CHECK (series IN ('AVV', 'FOR'));
ALTER TABLE reference_years DROP CONSTRAINT reference_years_pkey;
ALTER TABLE reference_years ADD PRIMARY KEY (series, year);
CREATE SEQUENCE proposal_reference_numbers;
