-- The case titles beside their organisation and ID: a search of fewer than
-- 3 characters, which the trigram index cannot serve, scans this index
-- (about 90 bytes a case) instead of the table, whose rows carry the sealed
-- summary (about 1 KB), and reads the table for matches only. It replaces
-- cases_org (org_id, id), its prefix, which the planner would otherwise
-- prefer for that scan (bench/README.md).
CREATE INDEX cases_org_title ON cases (org_id, id, title);
DROP INDEX cases_org;
