-- The case titles beside their organisation and ID, newest last: a search
-- of fewer than 3 characters, which the trigram index cannot serve, scans
-- this index (about 90 bytes a case) instead of the table, whose rows carry
-- the sealed summary (about 1 KB); the table is read for matches only.
CREATE INDEX cases_org_title ON cases (org_id, id, title);
