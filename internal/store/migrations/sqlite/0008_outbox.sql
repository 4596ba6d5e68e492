-- The outbox (internal/notify): every outbound message (e-mail, webhook,
-- group robot), written in the same transaction as the change it
-- announces, then claimed, sent and settled by the delivery workers.
-- Delivery is at least once: a claim is a lease (lease_until, locked_by);
-- a row still "sending" after its lease ended is claimed again.
--
-- payload is sealed by the keyring, bound to dedup_key: it holds the body,
-- the real target and the signing secret, which may be undisclosed
-- vulnerability information or robot tokens. target is the masked form,
-- for display. kind is checked by the domain, not here, so a new channel
-- needs no table rebuild.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id          INTEGER REFERENCES organisations (id),
	kind            TEXT NOT NULL,
	dedup_key       TEXT NOT NULL UNIQUE,
	target          TEXT NOT NULL,
	payload         BLOB NOT NULL,
	state           TEXT NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'sending', 'sent', 'dead')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TIMESTAMP NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL,
	sent_at         TIMESTAMP,
	lease_until     TIMESTAMP,
	locked_by       TEXT NOT NULL DEFAULT ''
);
-- The workers' claim: due pending rows and expired leases, oldest first.
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
-- The delivery list per organisation.
CREATE INDEX outbox_org ON outbox (org_id, state, id);
