-- The degree of harm to the patient (Meldeordningen's scale); NULL: not
-- given, as for every report made before it was asked.
ALTER TABLE reports ADD COLUMN harm_degree text
    CHECK (harm_degree IN ('NO_HARM', 'MINOR', 'MODERATE', 'SERIOUS', 'DEATH'));
