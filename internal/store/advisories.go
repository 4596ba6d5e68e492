package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
)

// TransactAdvisories runs fn in a transaction, for advisory.Service.
func (db *DB) TransactAdvisories(ctx context.Context, fn func(advisory.Tx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

const advisoryColumns = `a.id, a.org_id, a.case_id, c.ref, a.ref, a.state, a.editors, a.approved_by, a.approved_at,
	a.release_at, a.release_zone, a.held, a.held_at, a.live, a.published_at, a.not_operator, a.early, a.mps_consent,
	a.created_at, a.updated_at`

// advisoryJSON are the JSON columns of an advisory, in column order.
func advisoryJSON(a *advisory.Advisory) []any {
	return []any{&a.Editors, &a.NotOperator, &a.Early, &a.MPSConsent}
}

// scanAdvisory reads a row of advisoryColumns and then more, if any.
func scanAdvisory(row interface{ Scan(...any) error }, more ...any) (advisory.Advisory, error) {
	var a advisory.Advisory
	var editors, notOp, early, consent string
	var approved, release, held, published sql.NullTime
	dest := append([]any{&a.ID, &a.OrgID, &a.CaseID, &a.CaseRef, &a.Ref, &a.State, &editors, &a.ApprovedBy, &approved,
		&release, &a.ReleaseZone, &a.Held, &held, &a.Live, &published, &notOp, &early, &consent, &a.CreatedAt, &a.UpdatedAt}, more...)
	if err := row.Scan(dest...); err != nil {
		return a, err
	}
	for i, s := range []string{editors, notOp, early, consent} {
		if err := json.Unmarshal([]byte(s), advisoryJSON(&a)[i]); err != nil {
			return a, fmt.Errorf("store: advisory %d: %w", a.ID, err)
		}
	}
	a.ApprovedAt, a.ReleaseAt, a.HeldAt, a.PublishedAt = utcOrZero(approved), utcOrZero(release), utcOrZero(held), utcOrZero(published)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, nil
}

// marshalAdvisory returns a's JSON columns as text.
func marshalAdvisory(a advisory.Advisory) ([]string, error) {
	var out []string
	for _, v := range advisoryJSON(&a) {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		out = append(out, string(b))
	}
	for i, empty := range []string{"[]", "[]", "", "[]"} {
		if out[i] == "null" && empty != "" {
			out[i] = empty
		}
	}
	return out, nil
}

// CreateAdvisory stores a with its sealed working copy and returns its ID;
// errs.Conflict when the case has an advisory already.
func (tx *Tx) CreateAdvisory(ctx context.Context, a advisory.Advisory, sealed []byte) (int64, error) {
	j, err := marshalAdvisory(a)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.queryRow(ctx, `INSERT INTO security_advisories (org_id, case_id, ref, state, content, editors, not_operator, early,
			mps_consent, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		a.OrgID, a.CaseID, a.Ref, string(a.State), sealed, j[0], j[1], j[2], j[3], a.CreatedAt, a.UpdatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create advisory: %w", conflict(classify(err), "the case has an advisory already"))
	}
	return id, nil
}

// AdvisoryByCase returns the advisory of case caseID without its content,
// and the content sealed; errs.NotFound.
func (tx *Tx) AdvisoryByCase(ctx context.Context, caseID int64) (advisory.Advisory, []byte, error) {
	var sealed []byte
	a, err := scanAdvisory(tx.queryRow(ctx, `SELECT `+advisoryColumns+`, a.content
		FROM security_advisories a JOIN cases c ON c.id = a.case_id WHERE a.case_id = $1`, caseID), &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil, errs.Coded(errs.NotFound, "advisory.not_found", "the case has no advisory yet")
	}
	if err != nil {
		return a, nil, fmt.Errorf("store: read advisory: %w", err)
	}
	return a, sealed, nil
}

// UpdateAdvisory writes a's state and records, and its sealed working copy.
func (tx *Tx) UpdateAdvisory(ctx context.Context, a advisory.Advisory, sealed []byte) error {
	j, err := marshalAdvisory(a)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, `UPDATE security_advisories SET state = $2, content = $3, editors = $4, not_operator = $5, early = $6,
			mps_consent = $7, approved_by = $8, approved_at = $9, release_at = $10, release_zone = $11, held = $12,
			held_at = $13, live = $14, published_at = $15, updated_at = $16
		WHERE id = $1`, a.ID, string(a.State), sealed, j[0], j[1], j[2], j[3], a.ApprovedBy, nullTime(a.ApprovedAt),
		nullTime(a.ReleaseAt), a.ReleaseZone, a.Held, nullTime(a.HeldAt), a.Live, nullTime(a.PublishedAt), a.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: update advisory: %w", classify(err))
	}
	return mustAffect(res, "no such advisory")
}

// DueAdvisories returns up to limit scheduled advisories, of every
// organisation, whose release time is at or before now.
func (tx *Tx) DueAdvisories(ctx context.Context, now time.Time, limit int) ([]advisory.Advisory, error) {
	rows, err := tx.query(ctx, `SELECT `+advisoryColumns+`
		FROM security_advisories a JOIN cases c ON c.id = a.case_id
		WHERE a.state = 'scheduled' AND a.release_at <= $1 ORDER BY a.release_at, a.id LIMIT $2`, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("store: due advisories: %w", err)
	}
	var out []advisory.Advisory
	for rows.Next() {
		a, err := scanAdvisory(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: due advisories: %w", err)
		}
		out = append(out, a)
	}
	return out, closeRows(rows)
}

// AddRevision stores a published revision, frozen from then on.
func (tx *Tx) AddRevision(ctx context.Context, org int64, r advisory.Revision) error {
	b, err := json.Marshal(r.Content)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO security_advisory_revisions (org_id, advisory_id, number, kind, content, note_zh, note_en,
			sha256, published_at, published_by, approved_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, org, r.AdvisoryID, r.Number, string(r.Kind), string(b),
		r.Note.ZH, r.Note.EN, r.SHA256, r.PublishedAt, r.PublishedBy, r.ApprovedBy)
	if err != nil {
		return fmt.Errorf("store: add advisory revision: %w", conflict(classify(err), "the revision exists"))
	}
	return nil
}

// Revisions returns an advisory's revisions, oldest first.
func (tx *Tx) Revisions(ctx context.Context, advisoryID int64) ([]advisory.Revision, error) {
	rows, err := tx.query(ctx, `SELECT advisory_id, number, kind, content, note_zh, note_en, sha256, published_at,
			published_by, approved_by
		FROM security_advisory_revisions WHERE advisory_id = $1 ORDER BY number`, advisoryID)
	if err != nil {
		return nil, fmt.Errorf("store: advisory revisions: %w", err)
	}
	var out []advisory.Revision
	for rows.Next() {
		var r advisory.Revision
		var content string
		if err := rows.Scan(&r.AdvisoryID, &r.Number, &r.Kind, &content, &r.Note.ZH, &r.Note.EN, &r.SHA256, &r.PublishedAt,
			&r.PublishedBy, &r.ApprovedBy); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: advisory revisions: %w", err)
		}
		if err := json.Unmarshal([]byte(content), &r.Content); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: advisory revision %d: %w", r.Number, err)
		}
		r.PublishedAt = r.PublishedAt.UTC()
		out = append(out, r)
	}
	return out, closeRows(rows)
}

// Blackouts returns org's blackout periods, by start.
func (tx *Tx) Blackouts(ctx context.Context, org int64) ([]disclosure.Blackout, error) {
	rows, err := tx.query(ctx, `SELECT id, name_zh, name_en, start_at, end_at, zone FROM blackouts
		WHERE org_id = $1 ORDER BY start_at, id`, org)
	if err != nil {
		return nil, fmt.Errorf("store: blackouts: %w", err)
	}
	var out []disclosure.Blackout
	for rows.Next() {
		var b disclosure.Blackout
		if err := rows.Scan(&b.ID, &b.NameZH, &b.NameEN, &b.Start, &b.End, &b.Zone); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: blackouts: %w", err)
		}
		b.Start, b.End = b.Start.UTC(), b.End.UTC()
		out = append(out, b)
	}
	return out, closeRows(rows)
}

// PutBlackout stores b (a new one when b.ID is 0) and returns its ID;
// errs.NotFound for an ID org does not have.
func (tx *Tx) PutBlackout(ctx context.Context, org int64, b disclosure.Blackout) (int64, error) {
	if b.ID == 0 {
		err := tx.queryRow(ctx, `INSERT INTO blackouts (org_id, name_zh, name_en, start_at, end_at, zone)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, org, b.NameZH, b.NameEN, b.Start.UTC(), b.End.UTC(), b.Zone).Scan(&b.ID)
		if err != nil {
			return 0, fmt.Errorf("store: add blackout: %w", classify(err))
		}
		return b.ID, nil
	}
	res, err := tx.exec(ctx, `UPDATE blackouts SET name_zh = $3, name_en = $4, start_at = $5, end_at = $6, zone = $7
		WHERE id = $1 AND org_id = $2`, b.ID, org, b.NameZH, b.NameEN, b.Start.UTC(), b.End.UTC(), b.Zone)
	if err != nil {
		return 0, fmt.Errorf("store: update blackout: %w", classify(err))
	}
	return b.ID, notFoundIfNone(res, "blackout.not_found", "no such blackout period")
}

// DeleteBlackout removes blackout id of org; errs.NotFound.
func (tx *Tx) DeleteBlackout(ctx context.Context, org, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM blackouts WHERE id = $1 AND org_id = $2`, id, org)
	if err != nil {
		return fmt.Errorf("store: delete blackout: %w", err)
	}
	return notFoundIfNone(res, "blackout.not_found", "no such blackout period")
}

func notFoundIfNone(res sql.Result, code, msg string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: rows affected: %w", err)
	}
	if n == 0 {
		return errs.Coded(errs.NotFound, code, "%s", msg)
	}
	return nil
}

var _ advisory.Tx = (*Tx)(nil)
var _ advisory.Store = (*DB)(nil)

// PublishedAdvisories returns every advisory with at least one revision,
// of every organisation, most recently updated first: the instance's
// public catalogue (the HTML pages, the feeds, the CSAF provider).
func (db *DB) PublishedAdvisories(ctx context.Context) ([]advisory.Public, error) {
	return db.publicAdvisories(ctx, "")
}

// PublishedAdvisory returns advisory ref if it has a revision;
// errs.NotFound.
func (db *DB) PublishedAdvisory(ctx context.Context, ref string) (advisory.Public, error) {
	out, err := db.publicAdvisories(ctx, ref)
	if err != nil {
		return advisory.Public{}, err
	}
	if len(out) == 0 {
		return advisory.Public{}, errs.Coded(errs.NotFound, "advisory.no_such", "no published advisory %s", ref)
	}
	return out[0], nil
}

// publicAdvisories reads the revisions of every published advisory, or of
// advisory ref alone, in one query.
func (db *DB) publicAdvisories(ctx context.Context, ref string) ([]advisory.Public, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT a.ref, a.org_id, a.case_id, o.name, r.advisory_id, r.number, r.kind,
			r.content, r.note_zh, r.note_en, r.sha256, r.published_at, r.published_by, r.approved_by
		FROM security_advisory_revisions r
		JOIN security_advisories a ON a.id = r.advisory_id
		JOIN organisations o ON o.id = a.org_id
		WHERE ($1 = '' OR a.ref = $1)
		ORDER BY a.id, r.number`, ref)
	if err != nil {
		return nil, fmt.Errorf("store: published advisories: %w", err)
	}
	var out []advisory.Public
	for rows.Next() {
		var p advisory.Public
		var r advisory.Revision
		var content string
		if err := rows.Scan(&p.Ref, &p.OrgID, &p.CaseID, &p.Publisher, &r.AdvisoryID, &r.Number, &r.Kind, &content,
			&r.Note.ZH, &r.Note.EN, &r.SHA256, &r.PublishedAt, &r.PublishedBy, &r.ApprovedBy); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: published advisories: %w", err)
		}
		if err := json.Unmarshal([]byte(content), &r.Content); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: advisory %s revision %d: %w", p.Ref, r.Number, err)
		}
		r.PublishedAt = r.PublishedAt.UTC()
		if n := len(out); n > 0 && out[n-1].Ref == p.Ref {
			out[n-1].Revisions = append(out[n-1].Revisions, r)
			continue
		}
		p.Revisions = []advisory.Revision{r}
		out = append(out, p)
	}
	if err := closeRows(rows); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b advisory.Public) int { return b.Updated().Compare(a.Updated()) })
	return out, nil
}
