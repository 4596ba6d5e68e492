-- The quarterly access reviews (CN-11-2): each organisation's "who can see
-- what" recorded once a quarter (CST) as evidence, with the SHA-256 of the
-- recorded JSON, and its sign-off by a compliance officer or administrator.
-- One review per organisation and quarter: several nodes recording at once
-- end with one.
CREATE TABLE access_reviews (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id       INTEGER NOT NULL REFERENCES organisations (id),
	quarter      TEXT NOT NULL,
	generated_at TIMESTAMP NOT NULL,
	people       INTEGER NOT NULL,
	content      BLOB NOT NULL,
	sha256       TEXT NOT NULL,
	signed_by    TEXT NOT NULL DEFAULT '',
	signed_at    TIMESTAMP,
	note         TEXT NOT NULL DEFAULT '',
	UNIQUE (org_id, quarter)
);
