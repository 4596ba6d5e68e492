-- Finding cases: a trigram index of case titles (pg_trgm, a trusted
-- extension: the database owner may create it), which serves ILIKE
-- searches on Chinese text; and indexes for the list's filters.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX cases_title_trgm ON cases USING gin (title gin_trgm_ops);
CREATE INDEX cases_org_status ON cases (org_id, status, id);
