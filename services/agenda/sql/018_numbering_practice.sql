-- Each committee's own numbering practice, as the partnership's agreement
-- sets it: whether any other business and orientations get a case number
-- (breaks never do, every other kind always), and whether a case postponed
-- to the next meeting keeps the number it had there or takes a new one.
-- Numbers are given when a notice goes out and never change, so a meeting
-- keeps the practice that held when its notice was published.
ALTER TABLE committees
    ADD COLUMN numbers_any_other_business boolean NOT NULL DEFAULT true,
    ADD COLUMN numbers_orientations boolean NOT NULL DEFAULT true,
    ADD COLUMN carried_case_keeps_number boolean NOT NULL DEFAULT true;
