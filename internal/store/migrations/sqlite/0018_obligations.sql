-- The facts about a case that decide its legal duties (internal/obligation):
-- where the root cause lies and, for an upstream component, its supplier
-- from the catalogue and when that was found (CN-07-4); whether users must
-- act (CN-07-9); when a fix or mitigation became available; awareness of
-- active exploitation and of a severe incident, each with its evidence
-- (EU-14-1: no flag without both).
CREATE TABLE case_facts (
	case_id              INTEGER PRIMARY KEY REFERENCES cases (id),
	root_component       TEXT NOT NULL DEFAULT '',
	upstream_supplier_id INTEGER REFERENCES product_suppliers (id),
	upstream_at          TIMESTAMP,
	user_action          INTEGER NOT NULL DEFAULT 0 CHECK (user_action IN (0, 1)),
	fix_available_at     TIMESTAMP,
	exploited_at         TIMESTAMP,
	exploited_evidence   TEXT NOT NULL DEFAULT '',
	incident_at          TIMESTAMP,
	incident_evidence    TEXT NOT NULL DEFAULT '',
	CHECK ((upstream_supplier_id IS NULL) = (upstream_at IS NULL)),
	CHECK (exploited_at IS NULL OR exploited_evidence <> ''),
	CHECK (incident_at IS NULL OR incident_evidence <> '')
);

-- An organisation's obligation settings: regimes on or off, its own SLAs
-- for the configurable duties, escalation thresholds (JSON).
CREATE TABLE obligation_settings (
	org_id     INTEGER PRIMARY KEY REFERENCES organisations (id),
	settings   TEXT NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL
);

-- One duty on one case under one regime. Open until met (with evidence),
-- decided not applicable (with reason and approver) or withdrawn (the duty
-- no longer falls on the case). fired lists the escalation thresholds
-- already announced, so that each fires once.
CREATE TABLE obligations (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id         INTEGER NOT NULL REFERENCES organisations (id),
	case_id        INTEGER NOT NULL REFERENCES cases (id),
	regime         TEXT NOT NULL,
	pack_version   TEXT NOT NULL,
	duty           TEXT NOT NULL,
	requirement    TEXT NOT NULL,
	anchor_at      TIMESTAMP NOT NULL,
	due_at         TIMESTAMP NOT NULL,
	outer_bound_at TIMESTAMP,
	state          TEXT NOT NULL CHECK (state IN ('open', 'met', 'not_applicable', 'withdrawn')),
	closed_at      TIMESTAMP,
	closed_by      TEXT NOT NULL DEFAULT '',
	reason         TEXT NOT NULL DEFAULT '',
	fired          TEXT NOT NULL DEFAULT '',
	created_at     TIMESTAMP NOT NULL,
	updated_at     TIMESTAMP NOT NULL,
	UNIQUE (case_id, regime, duty),
	CHECK (state = 'open' OR closed_at IS NOT NULL),
	CHECK (state <> 'not_applicable' OR (reason <> '' AND closed_by <> ''))
);
CREATE INDEX obligations_open ON obligations (org_id, state, due_at);

-- What met a duty: a transition, a submission, a delivered notice, an
-- advisory; sha256 fingerprints the record it points to.
CREATE TABLE obligation_evidence (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	obligation_id INTEGER NOT NULL REFERENCES obligations (id),
	kind          TEXT NOT NULL,
	ref           TEXT NOT NULL,
	at            TIMESTAMP NOT NULL,
	sha256        TEXT NOT NULL DEFAULT '',
	note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX obligation_evidence_obligation ON obligation_evidence (obligation_id);

-- What was sent to a regulator or an upstream party (CN-07-7): a frozen,
-- sealed snapshot with its SHA-256, who submitted it, when, how, and the
-- platform's reference number. A change later is a new version that
-- supersedes it (a supplementary report), never an edit: the triggers
-- refuse any update but the delivery time and any delete.
CREATE TABLE submissions (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id            INTEGER NOT NULL REFERENCES organisations (id),
	case_id           INTEGER NOT NULL REFERENCES cases (id),
	duty              TEXT NOT NULL,
	version           INTEGER NOT NULL,
	recipient         TEXT NOT NULL,
	recipient_country TEXT NOT NULL,
	channel           TEXT NOT NULL CHECK (channel IN ('manual', 'email', 'http')),
	snapshot          BLOB NOT NULL,
	snapshot_sha256   TEXT NOT NULL,
	submitted_at      TIMESTAMP NOT NULL,
	submitted_by      TEXT NOT NULL,
	reference         TEXT NOT NULL DEFAULT '',
	outbox_id         INTEGER,
	delivered_at      TIMESTAMP,
	UNIQUE (case_id, duty, version)
);
CREATE TRIGGER submissions_frozen BEFORE UPDATE ON submissions
WHEN NEW.snapshot IS NOT OLD.snapshot OR NEW.snapshot_sha256 IS NOT OLD.snapshot_sha256
	OR NEW.submitted_at IS NOT OLD.submitted_at OR NEW.submitted_by IS NOT OLD.submitted_by
	OR NEW.reference IS NOT OLD.reference OR NEW.recipient IS NOT OLD.recipient
	OR NEW.version IS NOT OLD.version OR NEW.duty IS NOT OLD.duty OR NEW.case_id IS NOT OLD.case_id
BEGIN
	SELECT RAISE(ABORT, 'a submission is frozen: record a supplementary one');
END;
CREATE TRIGGER submissions_kept BEFORE DELETE ON submissions
BEGIN
	SELECT RAISE(ABORT, 'a submission is frozen: record a supplementary one');
END;

-- Recorded legal decisions that allow undisclosed information of a case to
-- go to a foreign recipient other than the product's provider (RMSV Art.
-- 9(7), CN-09-7). The gate's every verdict is in the audit log.
CREATE TABLE sharing_decisions (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id            INTEGER NOT NULL REFERENCES organisations (id),
	case_id           INTEGER NOT NULL REFERENCES cases (id),
	recipient         TEXT NOT NULL,
	recipient_country TEXT NOT NULL,
	basis             TEXT NOT NULL,
	decided_by        TEXT NOT NULL,
	decided_at        TIMESTAMP NOT NULL,
	expires_at        TIMESTAMP NOT NULL
);
CREATE INDEX sharing_decisions_case ON sharing_decisions (case_id, recipient);
