-- The parts of a report to a regulator that people write rather than
-- Embargo derives from the case (a CRA notification's nature of the
-- exploit, the measures taken, what users can do; an NVDB report's own
-- wording of the harm), per case and duty (internal/obligation). Sealed at
-- rest: they are undisclosed vulnerability information. What was sent is
-- frozen in submissions; this is the draft.
CREATE TABLE report_drafts (
	case_id    INTEGER NOT NULL REFERENCES cases (id),
	duty       TEXT NOT NULL,
	fields     BLOB NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	updated_by TEXT NOT NULL,
	PRIMARY KEY (case_id, duty)
);
