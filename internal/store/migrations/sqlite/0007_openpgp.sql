-- The instance's OpenPGP key pairs (internal/pgp): reporters encrypt to the
-- active one, and it signs security.txt. The private key is sealed by the
-- instance keyring, bound to its fingerprint; it is never stored in clear.
-- At most one key is active: the partial unique index makes two nodes that
-- generate a key at the same first start end with one.
CREATE TABLE openpgp_keys (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	fingerprint TEXT NOT NULL UNIQUE,
	public_key  TEXT NOT NULL,
	private_key BLOB NOT NULL,
	created_at  TIMESTAMP NOT NULL,
	active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE UNIQUE INDEX openpgp_keys_one_active ON openpgp_keys (active) WHERE active = 1;
