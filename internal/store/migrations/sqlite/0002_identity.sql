-- Organisations (tenants). kinds is a comma-separated subset of provider,
-- operator, platform (RMSV Art. 2; CN-02-1). country is ISO 3166-1 alpha-2,
-- where the organisation is registered (CN-09-7).
CREATE TABLE organisations (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	kinds      TEXT NOT NULL DEFAULT 'provider',
	country    TEXT NOT NULL DEFAULT 'CN',
	confidentiality_statement TEXT NOT NULL DEFAULT '',
	confidentiality_version   INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMP NOT NULL
);

-- Every account belongs to one organisation with one role (internal/access).
-- country is the person's jurisdiction for the sharing gate (CN-09-7).
-- totp_secret is sealed by the keyring; recovery codes are hashed.
ALTER TABLE users ADD COLUMN org_id INTEGER REFERENCES organisations (id);
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN country TEXT NOT NULL DEFAULT 'CN';
ALTER TABLE users ADD COLUMN totp_secret BLOB;
ALTER TABLE users ADD COLUMN totp_enabled_at TIMESTAMP;
ALTER TABLE users ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMP;
ALTER TABLE users ADD COLUMN confidentiality_ack_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at TIMESTAMP;

-- Server-side sessions. The cookie holds a random token; only its SHA-256
-- is stored, so a copy of the database cannot be used to sign in.
CREATE TABLE sessions (
	token_hash    TEXT PRIMARY KEY,
	user_id       INTEGER NOT NULL REFERENCES users (id),
	created_at    TIMESTAMP NOT NULL,
	last_seen_at  TIMESTAMP NOT NULL,
	second_factor INTEGER NOT NULL DEFAULT 0 CHECK (second_factor IN (0, 1)),
	user_agent    TEXT NOT NULL DEFAULT '',
	remote_addr   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

-- API tokens: shown once, stored as SHA-256, scoped, with expiry.
CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id      INTEGER NOT NULL REFERENCES users (id),
	name         TEXT NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	scopes       TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP,
	last_used_at TIMESTAMP,
	revoked_at   TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Two-factor recovery codes: each one works once.
CREATE TABLE recovery_codes (
	user_id   INTEGER NOT NULL REFERENCES users (id),
	code_hash TEXT NOT NULL,
	used_at   TIMESTAMP,
	PRIMARY KEY (user_id, code_hash)
);
