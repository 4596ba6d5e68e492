package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
)

// AddCasePerson adds someone to a case in a role (a repeat is a no-op).
func (tx *Tx) AddCasePerson(ctx context.Context, caseID int64, x casework.Person) error {
	_, err := tx.exec(ctx, `INSERT INTO case_people (case_id, user_id, role, added_at, added_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (case_id, user_id, role) DO NOTHING`, caseID, x.UserID, string(x.Role), x.AddedAt, x.AddedBy)
	if err != nil {
		return fmt.Errorf("store: add case person: %w", err)
	}
	return nil
}

// RemoveCasePerson takes someone off a case in a role.
func (tx *Tx) RemoveCasePerson(ctx context.Context, caseID, userID int64, role casework.PersonRole) error {
	res, err := tx.exec(ctx, `DELETE FROM case_people WHERE case_id = $1 AND user_id = $2 AND role = $3`, caseID, userID, string(role))
	if err != nil {
		return fmt.Errorf("store: remove case person: %w", err)
	}
	return mustAffect(res, "they are not on the case in that role")
}

// CasePeople returns a case's assignees and watchers, assignees first.
func (tx *Tx) CasePeople(ctx context.Context, caseID int64) ([]casework.Person, error) {
	rows, err := tx.query(ctx, `SELECT user_id, role, added_at, added_by FROM case_people WHERE case_id = $1
		ORDER BY role, added_at, user_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case people: %w", err)
	}
	defer rows.Close()
	var out []casework.Person
	for rows.Next() {
		var x casework.Person
		var role string
		if err := rows.Scan(&x.UserID, &role, &x.AddedAt, &x.AddedBy); err != nil {
			return nil, fmt.Errorf("store: case people: %w", err)
		}
		x.Role, x.AddedAt = casework.PersonRole(role), x.AddedAt.UTC()
		out = append(out, x)
	}
	return out, rows.Err()
}

// AddCaseComment stores a comment: the row first, for its ID, then the
// body sealed to that ID.
func (tx *Tx) AddCaseComment(ctx context.Context, caseID int64, c casework.Comment, seal func(id int64) ([]byte, error)) (int64, error) {
	var id int64
	if err := tx.queryRow(ctx, `INSERT INTO case_comments (case_id, at, author, body) VALUES ($1, $2, $3, $4) RETURNING id`,
		caseID, c.At, c.Author, []byte{}).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: add case comment: %w", err)
	}
	body, err := seal(id)
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE case_comments SET body = $2 WHERE id = $1`, id, body); err != nil {
		return 0, fmt.Errorf("store: add case comment: %w", err)
	}
	return id, nil
}

// CaseComments returns a case's comments, oldest first, sealed.
func (tx *Tx) CaseComments(ctx context.Context, caseID int64) ([]casework.SealedComment, error) {
	rows, err := tx.query(ctx, `SELECT id, at, author, body FROM case_comments WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case comments: %w", err)
	}
	defer rows.Close()
	var out []casework.SealedComment
	for rows.Next() {
		var c casework.SealedComment
		if err := rows.Scan(&c.ID, &c.At, &c.Author, &c.Body); err != nil {
			return nil, fmt.Errorf("store: case comments: %w", err)
		}
		c.At = c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// AddCaseFile stores a file: the row first, for its ID, then the content
// sealed to that ID.
func (tx *Tx) AddCaseFile(ctx context.Context, caseID int64, f casework.File, seal func(id int64) ([]byte, error)) (int64, error) {
	var id int64
	if err := tx.queryRow(ctx, `INSERT INTO case_files (case_id, name, content_type, size, sha256, restricted, data, added_at, added_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		caseID, f.Name, f.ContentType, f.Size, f.SHA256, boolInt(f.Restricted), []byte{}, f.AddedAt, f.AddedBy).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: add case file: %w", err)
	}
	sealed, err := seal(id)
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE case_files SET data = $2 WHERE id = $1`, id, sealed); err != nil {
		return 0, fmt.Errorf("store: add case file: %w", err)
	}
	return id, nil
}

const caseFileColumns = `id, name, content_type, size, sha256, restricted, added_at, added_by`

func scanCaseFile(row interface{ Scan(...any) error }, extra ...any) (casework.File, error) {
	var f casework.File
	var restricted int
	err := row.Scan(append([]any{&f.ID, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &restricted, &f.AddedAt, &f.AddedBy}, extra...)...)
	f.Restricted, f.AddedAt = restricted == 1, f.AddedAt.UTC()
	return f, err
}

// CaseFiles lists a case's files, oldest first, without their content.
func (tx *Tx) CaseFiles(ctx context.Context, caseID int64) ([]casework.File, error) {
	rows, err := tx.query(ctx, `SELECT `+caseFileColumns+` FROM case_files WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case files: %w", err)
	}
	defer rows.Close()
	var out []casework.File
	for rows.Next() {
		f, err := scanCaseFile(rows)
		if err != nil {
			return nil, fmt.Errorf("store: case files: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// CaseFile returns one file of a case with its sealed content.
func (tx *Tx) CaseFile(ctx context.Context, caseID, id int64) (casework.StoredFile, error) {
	var sf casework.StoredFile
	f, err := scanCaseFile(tx.queryRow(ctx, `SELECT `+caseFileColumns+`, data FROM case_files WHERE case_id = $1 AND id = $2`, caseID, id), &sf.Sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return sf, errs.New(errs.NotFound, "no such file")
	}
	if err != nil {
		return sf, fmt.Errorf("store: case file: %w", err)
	}
	sf.File = f
	return sf, nil
}
