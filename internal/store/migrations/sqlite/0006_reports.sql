-- Intake (RMSV Art. 5, 6; internal/report). A report is one submission,
-- immutable as received: its raw content and the fields read from it are
-- sealed by the keyring; only what triage must sort and count on is in
-- clear. Its receipt-log entry is the audit event receipt_seq of the
-- "receipt" stream, written in the same transaction.
CREATE TABLE reports (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id         INTEGER NOT NULL REFERENCES organisations (id),
	tracking_id    TEXT NOT NULL UNIQUE,
	-- SHA-256 (hex) of the private link's token; the token is never stored.
	secret_hash    TEXT NOT NULL UNIQUE,
	channel        TEXT NOT NULL,
	received_at    TIMESTAMP NOT NULL,
	receipt_seq    INTEGER NOT NULL,
	raw_sha256     TEXT NOT NULL,
	raw_size       INTEGER NOT NULL,
	raw            BLOB NOT NULL,
	content        BLOB NOT NULL,
	encrypted      INTEGER NOT NULL DEFAULT 0 CHECK (encrypted IN (0, 1)),
	dedup_key      TEXT,
	language       TEXT NOT NULL DEFAULT '',
	status         TEXT NOT NULL DEFAULT 'new',
	status_reason  TEXT NOT NULL DEFAULT '',
	duplicate_of   INTEGER REFERENCES reports (id),
	case_id        INTEGER REFERENCES cases (id),
	ack_due_at     TIMESTAMP NOT NULL,
	acknowledged_at TIMESTAMP,
	updated_at     TIMESTAMP NOT NULL,
	-- The reporter's choices (ISO 29147): credit, and what they consent to.
	credit         TEXT NOT NULL DEFAULT 'anonymous',
	consent_share  INTEGER NOT NULL DEFAULT 0 CHECK (consent_share IN (0, 1)),
	UNIQUE (org_id, dedup_key)
);
CREATE INDEX reports_inbox ON reports (org_id, status, id);

-- Files sent with a report or added later by the reporter; data is sealed.
CREATE TABLE report_attachments (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	report_id    INTEGER NOT NULL REFERENCES reports (id),
	message_id   INTEGER,
	name         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	sniffed_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	data         BLOB NOT NULL,
	added_at     TIMESTAMP NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments (report_id, id);

-- The two-way thread between the reporter and the team; body is sealed.
CREATE TABLE report_messages (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	report_id INTEGER NOT NULL REFERENCES reports (id),
	at        TIMESTAMP NOT NULL,
	author    TEXT NOT NULL,
	body      BLOB NOT NULL
);
CREATE INDEX report_messages_report ON report_messages (report_id, id);

-- Legal holds on the receipt log (CN-05-3): while a hold is active, the
-- retention purge keeps every entry received at or after its start.
CREATE TABLE legal_holds (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	stream      TEXT NOT NULL,
	from_at     TIMESTAMP NOT NULL,
	reason      TEXT NOT NULL,
	created_at  TIMESTAMP NOT NULL,
	created_by  TEXT NOT NULL,
	released_at TIMESTAMP,
	released_by TEXT NOT NULL DEFAULT ''
);
