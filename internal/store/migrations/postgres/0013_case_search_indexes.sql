-- Searches of 2 characters, which pg_trgm cannot serve (a trigram needs
-- 3): the distinct lower-case character pairs of each title, in a GIN
-- index, so that such a search reads the cases whose titles hold the pair
-- instead of every case of the organisation (bench/README.md). ILIKE still
-- decides; the pairs only narrow the candidates.
CREATE FUNCTION case_title_bigrams(title text) RETURNS text[]
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	AS $$ SELECT coalesce(array_agg(DISTINCT substr(lower(title), i, 2)), '{}')
		FROM generate_series(1, char_length(title) - 1) AS i $$;
CREATE INDEX cases_title_bigrams ON cases USING gin (case_title_bigrams(title));
-- Statistics on the new expression now, not at the next autovacuum: the
-- planner needs them to read a frequent pair's cases newest first (and
-- stop after a page) rather than gather them all through the index.
ANALYZE cases;
