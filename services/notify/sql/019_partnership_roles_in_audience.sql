-- The partnership's quality and administrator roles see past an event's
-- organisations only where the event is for such roles at all: not an
-- event narrowed to other roles (a report waiting in leader review is for
-- the reporting organisation's leaders alone, and a key of no organisation
-- holding quality and leader read every party's waiting reports).
CREATE OR REPLACE FUNCTION visible_to(audience uuid[], audience_roles text[],
                                      audience_subjects text[], subject text,
                                      organization_id uuid, roles text[])
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ((organization_id IS NULL AND coalesce(roles && ARRAY['quality', 'administrator'], false)
             AND (cardinality(audience_roles) = 0
                  OR audience_roles && ARRAY['quality', 'administrator']))
            OR cardinality(audience) = 0
            OR coalesce(organization_id = ANY (audience), false))
       AND (cardinality(audience_roles) = 0 OR coalesce(roles && audience_roles, false))
       AND (cardinality(audience_subjects) = 0 OR coalesce(subject = ANY (audience_subjects), false))
$$;
