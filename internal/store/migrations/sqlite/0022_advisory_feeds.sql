-- The advisory feeds the server pulls (--advisory-feeds), one row per URL,
-- with the validators of the last copy imported (the response's ETag and
-- Last-Modified), so that a restarted server asks with If-None-Match and
-- If-Modified-Since instead of downloading the feed again.
CREATE TABLE advisory_feeds (
	url           TEXT PRIMARY KEY,
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	advisories    INTEGER NOT NULL DEFAULT 0,
	pulled_at     TIMESTAMP NOT NULL
);
