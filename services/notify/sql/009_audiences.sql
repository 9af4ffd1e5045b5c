-- Who may see an event beyond its organisations (event.proto): roles and
-- principals by subject. visible_to() is the one predicate the feed (and
-- the stream, which reads it), webhooks and mail ask: the organisations
-- (which the quality and administrator roles see past), then the roles,
-- then the subjects, each narrowing on top of the one before.
ALTER TABLE events
    ADD COLUMN audience_roles text[] NOT NULL DEFAULT '{}',
    ADD COLUMN audience_subjects text[] NOT NULL DEFAULT '{}';

CREATE FUNCTION visible_to(audience uuid[], audience_roles text[], audience_subjects text[],
                           subject text, organization_id uuid, roles text[])
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (coalesce(roles && ARRAY['quality', 'administrator'], false)
            OR cardinality(audience) = 0
            OR coalesce(organization_id = ANY (audience), false))
       AND (cardinality(audience_roles) = 0 OR coalesce(roles && audience_roles, false))
       AND (cardinality(audience_subjects) = 0 OR coalesce(subject = ANY (audience_subjects), false))
$$;

-- The principals that own subscriptions, as notify last learnt of them:
-- from agenda's API-key events (organisation, roles, revocation) and from
-- every request to notify (the roles a principal had then: OpenID Connect
-- users, the operator's keys). A subscription sees what its owner may see
-- now. Owners of subscriptions made before are known again at their next
-- request; until then they see no more than their organisation's own.
CREATE TABLE principals (
    subject text PRIMARY KEY,
    organization_id uuid,
    roles text[] NOT NULL DEFAULT '{}',
    revoked_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO principals (subject, roles) VALUES ('admin', '{administrator}');
INSERT INTO principals (subject, organization_id)
    SELECT DISTINCT ON (owner_subject) owner_subject, owner_organization_id FROM subscriptions
    ON CONFLICT (subject) DO NOTHING;
