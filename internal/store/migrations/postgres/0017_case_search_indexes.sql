-- Searches of 2 characters, which pg_trgm cannot serve (a trigram needs
-- 3): the distinct character pairs of each title, in lower case as ILIKE
-- compares them, kept by a trigger, so that such a search reads the cases
-- whose titles hold the pair, newest first through the key, and stops
-- after a page, instead of every case of the organisation (a GIN index of
-- the pairs was tried: it has no order, so a frequent pair read thousands
-- of cases; bench/README.md).
CREATE TABLE case_title_pairs (
	pair    TEXT NOT NULL,
	case_id BIGINT NOT NULL,
	PRIMARY KEY (pair, case_id)
);
CREATE FUNCTION title_pairs(title text) RETURNS SETOF text
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT DISTINCT substr(lower(title), i, 2) FROM generate_series(1, char_length(title) - 1) AS i $$;
INSERT INTO case_title_pairs (pair, case_id) SELECT p, c.id FROM cases c, title_pairs(c.title) AS p;
CREATE FUNCTION case_title_pairs_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		DELETE FROM case_title_pairs WHERE case_id = OLD.id;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO case_title_pairs (pair, case_id) SELECT p, NEW.id FROM title_pairs(NEW.title) AS p;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER case_title_pairs_sync AFTER INSERT OR DELETE OR UPDATE OF title ON cases
	FOR EACH ROW EXECUTE FUNCTION case_title_pairs_sync();
