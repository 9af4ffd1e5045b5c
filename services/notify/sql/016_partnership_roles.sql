-- The quality and administrator roles see past an event's organisations
-- only when they are the partnership's own (of no organisation). A
-- party's quality staff or administrator are that party's: they see its
-- events, as its other roles do, and no other party's (a municipality's
-- quality adviser read every deviation event between the hospital and the
-- other municipalities).
CREATE OR REPLACE FUNCTION visible_to(audience uuid[], audience_roles text[],
                                      audience_subjects text[], subject text,
                                      organization_id uuid, roles text[])
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((organization_id IS NULL AND coalesce(roles && ARRAY['quality', 'administrator'], false))
            OR cardinality(audience) = 0
            OR coalesce(organization_id = ANY (audience), false))
       AND (cardinality(audience_roles) = 0 OR coalesce(roles && audience_roles, false))
       AND (cardinality(audience_subjects) = 0 OR coalesce(subject = ANY (audience_subjects), false))
$$;
