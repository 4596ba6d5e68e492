-- The instance: one row, created at first start.
CREATE TABLE instance (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	created_at  TIMESTAMP NOT NULL,
	-- SHA-256 (hex) of the one-time setup token, while no administrator exists.
	setup_token_hash TEXT NOT NULL DEFAULT '',
	setup_token_expires_at TIMESTAMP
);

-- The audit log: append-only, one hash chain per stream ("audit",
-- "receipt"). Each event carries the hash of the previous event and the
-- SHA-256 of its own canonical encoding (see internal/audit). Details is the
-- canonical JSON text, kept byte for byte (never a JSON type that the
-- database would normalise).
CREATE TABLE audit_events (
	stream     TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	at         TIMESTAMP NOT NULL,
	actor      TEXT NOT NULL,
	action     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	request_id TEXT NOT NULL,
	details    TEXT NOT NULL,
	prev_hash  TEXT NOT NULL,
	hash       TEXT NOT NULL,
	PRIMARY KEY (stream, seq)
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);

-- The head of each chain: the last event's number and hash. Appending locks
-- this row, so concurrent writers queue instead of forking the chain, and a
-- deleted last event is detected by comparing the head with the log.
-- first_seq/first_prev anchor the chain's start after retention purges.
CREATE TABLE audit_heads (
	stream     TEXT PRIMARY KEY,
	seq        INTEGER NOT NULL,
	hash       TEXT NOT NULL,
	first_seq  INTEGER NOT NULL,
	first_prev TEXT NOT NULL
);

-- Data keys for envelope encryption: each AES-256 key is stored wrapped
-- (AES-256-GCM) by the instance key, which never enters the database.
CREATE TABLE data_keys (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	kek_id     TEXT NOT NULL,
	wrapped    BLOB NOT NULL,
	created_at TIMESTAMP NOT NULL,
	active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

-- People who sign in. The identity issue extends this table.
CREATE TABLE users (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	email          TEXT NOT NULL UNIQUE,
	display_name   TEXT NOT NULL,
	password_hash  TEXT NOT NULL,
	instance_admin INTEGER NOT NULL DEFAULT 0 CHECK (instance_admin IN (0, 1)),
	language       TEXT NOT NULL DEFAULT '',
	created_at     TIMESTAMP NOT NULL,
	disabled_at    TIMESTAMP
);
