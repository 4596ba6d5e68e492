-- The case lifecycle (GB/T 30276; internal/casework): the kind of case
-- (a provider's or an operator's), T0 and its source (CN-07-1), the
-- assessment that confirming needs (CN-07-3), how a case was resolved, and
-- risk acceptance with its expiry (CN-08-1).
ALTER TABLE cases ADD COLUMN kind TEXT NOT NULL DEFAULT 'provider';
ALTER TABLE cases ADD COLUMN t0 TIMESTAMP;
ALTER TABLE cases ADD COLUMN t0_source TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN grade TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN cvss_vector TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN risk_expires_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN updated_at TIMESTAMP;
UPDATE cases SET t0 = created_at, t0_source = 'internal', updated_at = created_at;

-- Every move of a case through its lifecycle: who, when, from where to
-- where, and why. The audit log holds the same as evidence; this table
-- serves the case's timeline.
CREATE TABLE case_transitions (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	at          TIMESTAMP NOT NULL,
	actor       TEXT NOT NULL,
	from_status TEXT NOT NULL,
	to_status   TEXT NOT NULL,
	reason      TEXT NOT NULL DEFAULT '',
	resolution  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_transitions_case ON case_transitions (case_id, id);

-- Other identifiers of a case: CVE, CNVD, CNNVD, GHSA, GO. Within an
-- organisation an identifier names one case.
CREATE TABLE case_aliases (
	org_id   INTEGER NOT NULL REFERENCES organisations (id),
	alias    TEXT NOT NULL,
	case_id  INTEGER NOT NULL REFERENCES cases (id),
	added_at TIMESTAMP NOT NULL,
	added_by TEXT NOT NULL,
	PRIMARY KEY (org_id, alias)
);
CREATE INDEX case_aliases_case ON case_aliases (case_id);
