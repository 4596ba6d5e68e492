-- Single sign-on with OpenID Connect. An account is linked to a provider's
-- (issuer, subject): OIDC Core §2 makes sub unique and never reassigned
-- within an issuer, unlike the e-mail address.
CREATE TABLE user_identities (
	issuer     TEXT NOT NULL,
	subject    TEXT NOT NULL,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	created_at TIMESTAMP NOT NULL,
	PRIMARY KEY (issuer, subject)
);
CREATE INDEX user_identities_user ON user_identities (user_id);

-- Nonces of completed sign-ins (SHA-256), so that a sign-in cannot be
-- replayed, on any node. Rows older than the sign-in time limit are pruned.
CREATE TABLE oidc_nonces (
	nonce_hash TEXT PRIMARY KEY,
	used_at    TIMESTAMP NOT NULL
);
CREATE INDEX oidc_nonces_used ON oidc_nonces (used_at);
