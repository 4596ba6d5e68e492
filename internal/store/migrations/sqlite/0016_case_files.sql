-- Files on a case: evidence, fixes, and proof-of-concept or exploit
-- material, which is restricted to the case's access list (even for roles
-- that read every case) and never exported publicly. Sealed at rest.
CREATE TABLE case_files (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id      INTEGER NOT NULL REFERENCES cases (id),
	name         TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	restricted   INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
	data         BLOB NOT NULL,
	added_at     TIMESTAMP NOT NULL,
	added_by     TEXT NOT NULL
);
CREATE INDEX case_files_case ON case_files (case_id, id);
