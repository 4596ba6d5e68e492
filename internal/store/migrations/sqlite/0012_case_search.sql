-- Finding cases: a trigram full-text index of case titles, which works on
-- Chinese text (3 characters and more; shorter queries fall back to LIKE),
-- kept by triggers; and indexes for the list's filters.
CREATE VIRTUAL TABLE cases_fts USING fts5(title, content='cases', content_rowid='id', tokenize='trigram');
INSERT INTO cases_fts (rowid, title) SELECT id, title FROM cases;
CREATE TRIGGER cases_fts_insert AFTER INSERT ON cases BEGIN
	INSERT INTO cases_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER cases_fts_update AFTER UPDATE OF title ON cases BEGIN
	INSERT INTO cases_fts (cases_fts, rowid, title) VALUES ('delete', old.id, old.title);
	INSERT INTO cases_fts (rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER cases_fts_delete AFTER DELETE ON cases BEGIN
	INSERT INTO cases_fts (cases_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE INDEX cases_org_status ON cases (org_id, status, id);
