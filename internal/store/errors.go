package store

import (
	"errors"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Constraint names the kind of integrity constraint a write broke.
type Constraint int

// The constraint kinds, the same for both dialects.
const (
	Unique Constraint = iota + 1
	ForeignKey
	NotNull
	Check
)

// String returns the constraint kind's name.
func (c Constraint) String() string {
	return [...]string{"", "unique", "foreign key", "not null", "check"}[c]
}

// ConstraintError is returned when a write breaks an integrity constraint.
// It is detected from the drivers' typed errors (SQLite extended result
// codes, PostgreSQL SQLSTATE), never from message text.
type ConstraintError struct {
	Constraint Constraint
	Err        error
}

// Error implements error.
func (e *ConstraintError) Error() string {
	return "store: " + e.Constraint.String() + " violation: " + e.Err.Error()
}

// Unwrap returns the driver's error.
func (e *ConstraintError) Unwrap() error { return e.Err }

// IsConstraint reports whether err is a violation of constraint kind c.
func IsConstraint(err error, c Constraint) bool {
	var ce *ConstraintError
	return errors.As(err, &ce) && ce.Constraint == c
}

var sqliteConstraints = map[int]Constraint{
	sqlite3.SQLITE_CONSTRAINT_UNIQUE:     Unique,
	sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY: Unique,
	sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY: ForeignKey,
	sqlite3.SQLITE_CONSTRAINT_NOTNULL:    NotNull,
	sqlite3.SQLITE_CONSTRAINT_CHECK:      Check,
}

var postgresConstraints = map[string]Constraint{
	"23505": Unique,
	"23503": ForeignKey,
	"23502": NotNull,
	"23514": Check,
}

// classify turns driver constraint errors into *ConstraintError; other
// errors pass through unchanged.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		if c, ok := sqliteConstraints[se.Code()]; ok {
			return &ConstraintError{Constraint: c, Err: err}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if c, ok := postgresConstraints[pe.Code]; ok {
			return &ConstraintError{Constraint: c, Err: err}
		}
	}
	return err
}

// conflict turns a unique violation into errs.Conflict with msg; other
// errors pass through.
func conflict(err error, msg string) error {
	if IsConstraint(err, Unique) {
		return errs.Wrap(errs.Conflict, err, "%s", msg)
	}
	return err
}
