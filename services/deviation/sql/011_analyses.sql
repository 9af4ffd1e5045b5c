-- Joint incident analyses (felles hendelsesanalyse): one per report,
-- written by its two parties. The participants, timeline, causes, findings
-- and measures are the analysis's content, kept as its canonical JSON
-- (samhand.v1.JointAnalysis's fields, lowerCamelCase), so the record and
-- its final report are one document; open measures are found in it for
-- follow-up (jsonb_array_elements of content->'measures'; an analysis holds
-- at most 200, and a partnership has few analyses a year).
CREATE TABLE analyses (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    deviation_id uuid NOT NULL UNIQUE REFERENCES reports (id),
    state text NOT NULL DEFAULT 'IN_PROGRESS' CHECK (state IN ('IN_PROGRESS', 'FINAL')),
    content jsonb NOT NULL DEFAULT '{}',
    final_at timestamptz,
    finalized_by text NOT NULL DEFAULT '',
    finalized_by_organization_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
