-- Remediation and affected-user notification (RMSV Art. 7(3); CN-07-8,
-- CN-07-9, EU-14-6).
--
-- remediations: one row per affected version of a case (a catalogue
-- version its scope selects): the fix (fixed version or patch), the
-- workaround, and when it became available. A provider's case moves to
-- fixed, and any case to closed, only when every affected version has a
-- fix or a documented mitigation (internal/remediation).
CREATE TABLE remediations (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id        INTEGER NOT NULL REFERENCES organisations (id),
	case_id       INTEGER NOT NULL REFERENCES cases (id),
	product       TEXT NOT NULL,
	model         TEXT NOT NULL DEFAULT '',
	version       TEXT NOT NULL,
	line          TEXT NOT NULL DEFAULT '',
	status        TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'fixed', 'mitigated')),
	fixed_version TEXT NOT NULL DEFAULT '',
	patch         TEXT NOT NULL DEFAULT '',
	workaround    TEXT NOT NULL DEFAULT '',
	available_at  TIMESTAMP,
	note          TEXT NOT NULL DEFAULT '',
	updated_at    TIMESTAMP NOT NULL,
	updated_by    TEXT NOT NULL,
	UNIQUE (case_id, product, model, version)
);

-- Who runs what: the customers of 0014 become parties with a kind
-- (customer or downstream vendor), the language notices go to them in,
-- and a contact per channel besides e-mail. The versions they run stay in
-- product_version_customers.
ALTER TABLE product_customers ADD COLUMN kind TEXT NOT NULL DEFAULT 'customer';
ALTER TABLE product_customers ADD COLUMN language TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE product_customers ADD COLUMN webhook_url TEXT NOT NULL DEFAULT '';
ALTER TABLE product_customers ADD COLUMN robot_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE product_customers ADD COLUMN robot_url TEXT NOT NULL DEFAULT '';

-- Notice campaigns: one notice about one case to the parties that run an
-- affected version (and the product's subscribers). content is sealed:
-- the composer's text may hold undisclosed details.
CREATE TABLE notice_campaigns (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id       INTEGER NOT NULL REFERENCES organisations (id),
	case_id      INTEGER NOT NULL REFERENCES cases (id),
	state        TEXT NOT NULL CHECK (state IN ('draft', 'sending', 'delivered', 'failed')),
	content      BLOB,
	created_by   TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	sent_by      TEXT NOT NULL DEFAULT '',
	sent_at      TIMESTAMP,
	settled_at   TIMESTAMP
);
CREATE INDEX notice_campaigns_case ON notice_campaigns (case_id);
CREATE INDEX notice_campaigns_state ON notice_campaigns (state);

-- A recipient of a campaign on one channel. Its delivery state is the
-- outbox row's (outbox_id; NULL until the row is enqueued), not a copy.
-- token_hash is the SHA-256 of the random token in the recipient's
-- acknowledge and reply links.
CREATE TABLE notice_recipients (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	campaign_id     INTEGER NOT NULL REFERENCES notice_campaigns (id),
	party_id        INTEGER NOT NULL DEFAULT 0,
	subscription_id INTEGER NOT NULL DEFAULT 0,
	name            TEXT NOT NULL,
	kind            TEXT NOT NULL,
	country         TEXT NOT NULL DEFAULT '',
	language        TEXT NOT NULL,
	channel         TEXT NOT NULL,
	target          TEXT NOT NULL,
	versions        TEXT NOT NULL DEFAULT '',
	detail          TEXT NOT NULL DEFAULT '',
	gate_why        TEXT NOT NULL DEFAULT '',
	outbox_id       INTEGER REFERENCES outbox (id),
	attempt         INTEGER NOT NULL DEFAULT 0,
	token_hash      TEXT NOT NULL UNIQUE,
	acknowledged_at TIMESTAMP,
	UNIQUE (campaign_id, party_id, subscription_id, channel)
);
CREATE INDEX notice_recipients_pending ON notice_recipients (campaign_id, outbox_id);

-- Public subscriptions to a product's notices: double opt-in (confirmed
-- by a link sent to the address), one-click unsubscribe. The tokens of
-- both links are stored as SHA-256 hashes.
CREATE TABLE notice_subscriptions (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id       INTEGER NOT NULL REFERENCES organisations (id),
	product_id   INTEGER NOT NULL REFERENCES products (id) ON DELETE CASCADE,
	email        TEXT NOT NULL,
	language     TEXT NOT NULL,
	state        TEXT NOT NULL CHECK (state IN ('pending', 'active', 'ended')),
	confirm_hash TEXT NOT NULL UNIQUE,
	unsub_hash   TEXT NOT NULL UNIQUE,
	created_at   TIMESTAMP NOT NULL,
	confirmed_at TIMESTAMP,
	ended_at     TIMESTAMP,
	UNIQUE (product_id, email)
);
