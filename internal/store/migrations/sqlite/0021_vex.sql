-- VEX statements an organisation has made or received about its products
-- (internal/exposure/vex.go): a not_affected statement suppresses the
-- matches it names (CN-08-2). statement holds the exposure.VEXStatement
-- as JSON; statement_key names what it speaks of (the SHA-256, in hex, of
-- exposure.VEXStatement.Key: vulnerability and product), so that a newer
-- statement about the same thing replaces the older one. source_format
-- is the format it was imported from (openvex, csaf, cyclonedx);
-- imported_by the audit actor who imported it.
CREATE TABLE vex_statements (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id        INTEGER NOT NULL REFERENCES organisations (id),
	statement_key TEXT NOT NULL,
	statement     TEXT NOT NULL,
	source_format TEXT NOT NULL,
	imported_at   TIMESTAMP NOT NULL,
	imported_by   TEXT NOT NULL,
	UNIQUE (org_id, statement_key)
);
