-- Working on a case: its assignees and watchers, and internal comments
-- (sealed: they are undisclosed case content).
CREATE TABLE case_people (
	case_id  INTEGER NOT NULL REFERENCES cases (id),
	user_id  INTEGER NOT NULL REFERENCES users (id),
	role     TEXT NOT NULL CHECK (role IN ('assignee', 'watcher')),
	added_at TIMESTAMP NOT NULL,
	added_by TEXT NOT NULL,
	PRIMARY KEY (case_id, user_id, role)
);
CREATE INDEX case_people_user ON case_people (user_id, role);
CREATE TABLE case_comments (
	id      INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id INTEGER NOT NULL REFERENCES cases (id),
	at      TIMESTAMP NOT NULL,
	author  TEXT NOT NULL,
	body    BLOB NOT NULL
);
CREATE INDEX case_comments_case ON case_comments (case_id, id);
