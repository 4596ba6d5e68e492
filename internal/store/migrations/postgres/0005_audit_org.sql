-- The organisation each audit event belongs to (0: the instance itself),
-- part of its hash from encoding v2 on, so that auditors see their own
-- organisation's events and an event cannot be moved between tenants
-- unnoticed.
ALTER TABLE audit_events ADD COLUMN org_id BIGINT NOT NULL DEFAULT 0;
CREATE INDEX audit_events_org ON audit_events (org_id, stream, seq);
