package store

// Dialect names an SQL dialect the store speaks. Every difference between
// the two that queries must know about is a method here.
type Dialect int

// The dialects.
const (
	SQLite Dialect = iota + 1
	Postgres
)

// String returns the dialect's name, which is also its migrations folder.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "unknown"
}

// forUpdate is the row-lock clause for SELECT. SQLite needs none: its
// write transactions start with BEGIN IMMEDIATE and run one at a time.
func (d Dialect) forUpdate() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// skipLocked is the row-lock clause for a claim: PostgreSQL workers skip
// rows another worker's claim holds instead of waiting for them. SQLite
// needs none, for the same reason as forUpdate.
func (d Dialect) skipLocked() string {
	if d == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}
