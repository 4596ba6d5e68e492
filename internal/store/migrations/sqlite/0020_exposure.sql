-- The exposure engine (internal/exposure). Advisory feed records are public
-- data and belong to no organisation: one row per record ID, replaced when
-- a newer copy is imported. record holds the record converted to the
-- engine's model (exposure.Advisory, as JSON); aliases repeats its other
-- identifiers (a JSON array) so that a case can be joined by one of them.
CREATE TABLE advisories (
	id          TEXT PRIMARY KEY,
	source      TEXT NOT NULL,
	aliases     TEXT NOT NULL DEFAULT '[]',
	modified    TIMESTAMP,
	withdrawn   TIMESTAMP,
	record      TEXT NOT NULL,
	imported_at TIMESTAMP NOT NULL
);

-- An operator's assets: deployed systems and what they run (components:
-- a JSON array of exposure.Component). Product versions need no table of
-- their own: their inventories are the catalogue's components.
CREATE TABLE assets (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	org_id      INTEGER NOT NULL REFERENCES organisations (id),
	name        TEXT NOT NULL,
	host        TEXT NOT NULL DEFAULT '',
	components  TEXT NOT NULL,
	imported_at TIMESTAMP NOT NULL,
	UNIQUE (org_id, name)
);

-- The matches that already opened or joined a case, so that importing the
-- same advisory again does not open another: inventory is the index's
-- source ("version:12", "asset:3").
CREATE TABLE exposure_findings (
	org_id      INTEGER NOT NULL REFERENCES organisations (id),
	inventory   TEXT NOT NULL,
	advisory_id TEXT NOT NULL,
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	found_at    TIMESTAMP NOT NULL,
	PRIMARY KEY (org_id, inventory, advisory_id)
);
CREATE INDEX exposure_findings_advisory ON exposure_findings (org_id, advisory_id);
