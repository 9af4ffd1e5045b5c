-- Events only their organisations may read: a joint analysis of a
-- deviation report is its two parties' and the partnership's quality
-- staff's, not every organisation's quality or administrator roles. Such
-- an event names the marker 'parties' among its audience_roles (a role no
-- principal holds, so the roles beside it still decide): then the quality
-- and administrator roles see past its organisations only when they are
-- of no organisation (the partnership's own).
CREATE OR REPLACE FUNCTION visible_to(audience uuid[], audience_roles text[],
                                      audience_subjects text[], subject text,
                                      organization_id uuid, roles text[])
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((coalesce(roles && ARRAY['quality', 'administrator'], false)
             AND NOT ('parties' = ANY (audience_roles) AND organization_id IS NOT NULL))
            OR cardinality(audience) = 0
            OR coalesce(organization_id = ANY (audience), false))
       AND (cardinality(audience_roles) = 0 OR coalesce(roles && audience_roles, false))
       AND (cardinality(audience_subjects) = 0 OR coalesce(subject = ANY (audience_subjects), false))
$$;
