-- Cases: one vulnerability under handling (internal/casework). This is the
-- core the case-handling issue extends. summary is sealed by the keyring.
CREATE TABLE cases (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id       INTEGER NOT NULL REFERENCES organisations (id),
	ref          TEXT NOT NULL UNIQUE,
	title        TEXT NOT NULL,
	summary      BLOB,
	status       TEXT NOT NULL,
	disclosed_at TIMESTAMP,
	created_at   TIMESTAMP NOT NULL,
	created_by   INTEGER REFERENCES users (id)
);
CREATE INDEX cases_org ON cases (org_id, id);

-- The need-to-know access list of each case (CN-11-1): staff without
-- organisation-wide access see a case only when they are on it.
CREATE TABLE case_access (
	case_id    INTEGER NOT NULL REFERENCES cases (id),
	user_id    INTEGER NOT NULL REFERENCES users (id),
	granted_at TIMESTAMP NOT NULL,
	granted_by TEXT NOT NULL,
	PRIMARY KEY (case_id, user_id)
);
CREATE INDEX case_access_user ON case_access (user_id);

-- The organisation's confidentiality statement starts at version 1, so that
-- staff accept it before their first access to cases (CN-11-2).
UPDATE organisations SET confidentiality_version = 1 WHERE confidentiality_version = 0;
