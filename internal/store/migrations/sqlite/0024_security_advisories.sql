-- Security advisories and the publication gate (RMSV Art. 9; CN-09-P,
-- CN-09-1..6; internal/advisory, internal/disclosure/publication.go).
--
-- security_advisories: one per case, its working copy (content: JSON with
-- both languages, sealed at rest while undisclosed, like a case's summary)
-- and where it stands; editors are everyone who wrote the
-- working copy (none of them may approve it), the early-publication
-- record, the findings marked as not an operator's system and MPS's
-- consents are JSON; release_at schedules a release, held says why the
-- last scheduled one did not go out.
CREATE TABLE security_advisories (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id       INTEGER NOT NULL REFERENCES organisations (id),
	case_id      INTEGER NOT NULL UNIQUE REFERENCES cases (id),
	ref          TEXT NOT NULL UNIQUE,
	state        TEXT NOT NULL CHECK (state IN ('draft', 'in_review', 'approved', 'scheduled', 'published', 'withdrawn')),
	content      BLOB NOT NULL,
	editors      TEXT NOT NULL DEFAULT '[]',
	approved_by  TEXT NOT NULL DEFAULT '',
	approved_at  TIMESTAMP,
	release_at   TIMESTAMP,
	release_zone TEXT NOT NULL DEFAULT '',
	held         TEXT NOT NULL DEFAULT '',
	held_at      TIMESTAMP,
	live         INTEGER NOT NULL DEFAULT 0,
	published_at TIMESTAMP,
	not_operator TEXT NOT NULL DEFAULT '[]',
	early        TEXT NOT NULL DEFAULT '{}',
	mps_consent  TEXT NOT NULL DEFAULT '[]',
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL,
	CHECK (state <> 'scheduled' OR (release_at IS NOT NULL AND release_zone <> '')),
	CHECK (state NOT IN ('approved', 'scheduled') OR approved_by <> '')
);
CREATE INDEX security_advisories_due ON security_advisories (state, release_at);

-- Each published state of an advisory: a release, an update or a
-- withdrawal, with the content as published and its SHA-256. Frozen: the
-- triggers refuse any update and any delete.
CREATE TABLE security_advisory_revisions (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id       INTEGER NOT NULL REFERENCES organisations (id),
	advisory_id  INTEGER NOT NULL REFERENCES security_advisories (id),
	number       INTEGER NOT NULL,
	kind         TEXT NOT NULL CHECK (kind IN ('release', 'update', 'withdrawal')),
	content      TEXT NOT NULL,
	note_zh      TEXT NOT NULL DEFAULT '',
	note_en      TEXT NOT NULL DEFAULT '',
	sha256       TEXT NOT NULL,
	published_at TIMESTAMP NOT NULL,
	published_by TEXT NOT NULL,
	approved_by  TEXT NOT NULL DEFAULT '',
	UNIQUE (advisory_id, number)
);
CREATE TRIGGER advisory_revisions_frozen BEFORE UPDATE ON security_advisory_revisions
BEGIN
	SELECT RAISE(ABORT, 'a published advisory revision is frozen: publish an update');
END;
CREATE TRIGGER advisory_revisions_kept BEFORE DELETE ON security_advisory_revisions
BEGIN
	SELECT RAISE(ABORT, 'a published advisory revision is frozen: publish an update');
END;

-- The blackout calendar (RMSV Art. 9(6)): periods of major national events
-- (全国两会, 国庆 …) in which nothing is published without MPS's consent,
-- as instants with the zone they were defined in.
CREATE TABLE blackouts (
	id       INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id   INTEGER NOT NULL REFERENCES organisations (id),
	name_zh  TEXT NOT NULL,
	name_en  TEXT NOT NULL,
	start_at TIMESTAMP NOT NULL,
	end_at   TIMESTAMP NOT NULL,
	zone     TEXT NOT NULL,
	CHECK (end_at > start_at)
);
CREATE INDEX blackouts_org ON blackouts (org_id, start_at);
