-- Searches of 2 characters, which the trigram index cannot serve: the
-- distinct character pairs of each title (ASCII letters in lower case, as
-- LIKE compares them), kept by triggers, so that such a search reads the
-- cases whose titles hold the pair, newest first, instead of every case of
-- the organisation (bench/README.md). title_positions numbers the pairs of
-- a title (titles have at most 300 characters; the table has room for
-- 2,000).
CREATE TABLE title_positions (i INTEGER PRIMARY KEY);
INSERT INTO title_positions (i)
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) SELECT i FROM n;
CREATE TABLE case_title_pairs (
	pair    TEXT NOT NULL,
	case_id INTEGER NOT NULL,
	PRIMARY KEY (pair, case_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO case_title_pairs (pair, case_id)
	SELECT lower(substr(c.title, p.i, 2)), c.id FROM cases c JOIN title_positions p ON p.i < length(c.title);
CREATE TRIGGER case_title_pairs_insert AFTER INSERT ON cases BEGIN
	INSERT OR IGNORE INTO case_title_pairs (pair, case_id)
		SELECT lower(substr(new.title, i, 2)), new.id FROM title_positions WHERE i < length(new.title);
END;
CREATE TRIGGER case_title_pairs_update AFTER UPDATE OF title ON cases BEGIN
	DELETE FROM case_title_pairs WHERE case_id = old.id;
	INSERT OR IGNORE INTO case_title_pairs (pair, case_id)
		SELECT lower(substr(new.title, i, 2)), new.id FROM title_positions WHERE i < length(new.title);
END;
CREATE TRIGGER case_title_pairs_delete AFTER DELETE ON cases BEGIN
	DELETE FROM case_title_pairs WHERE case_id = old.id;
END;
