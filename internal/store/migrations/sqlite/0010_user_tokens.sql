-- E-mail verification and password reset. A user token is mailed as a
-- link; only its SHA-256 is stored. It is used once, before it expires,
-- by one atomic update.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;
CREATE TABLE user_tokens (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	purpose    TEXT NOT NULL CHECK (purpose IN ('reset', 'verify')),
	token_hash TEXT NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	used_at    TIMESTAMP
);
CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);
