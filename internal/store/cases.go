package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/gbt30279"
	"github.com/jackc/pgx/v5"
)

// TransactCases runs fn in a transaction, for casework.Service.
func (db *DB) TransactCases(ctx context.Context, fn func(casework.Tx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// CreateCase stores c without its summary and returns its ID.
func (tx *Tx) CreateCase(ctx context.Context, c casework.Case) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `
		INSERT INTO cases (org_id, ref, title, status, created_at, created_by, kind, t0, t0_source, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $5) RETURNING id`,
		c.OrgID, c.Ref, c.Title, string(c.Status), c.CreatedAt, nullID(c.CreatedBy), string(c.Kind), c.T0, c.T0Source).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create case: %w", conflict(classify(err), "a case with this reference exists"))
	}
	return id, nil
}

// FinishCase sets a new case's reference and sealed summary.
func (tx *Tx) FinishCase(ctx context.Context, id int64, ref string, sealedSummary []byte) error {
	res, err := tx.exec(ctx, `UPDATE cases SET ref = $2, summary = $3 WHERE id = $1`, id, ref, sealedSummary)
	if err != nil {
		return fmt.Errorf("store: finish case: %w", conflict(err, "a case with this reference exists"))
	}
	return mustAffect(res, "no such case")
}

const caseColumns = `id, org_id, ref, title, status, disclosed_at, created_at, created_by,
	kind, t0, t0_source, grade, cvss_vector, scope, resolution, risk_expires_at, updated_at,
	gbt_indicators, grade_table, grade_provisional, category, cwe`

func scanCase(row interface{ Scan(...any) error }, extra ...any) (casework.Case, error) {
	var c casework.Case
	var status, kind, scope, resolution, indicators string
	var disclosed, t0, risk, updated sql.NullTime
	var by sql.NullInt64
	var provisional int
	err := row.Scan(append([]any{&c.ID, &c.OrgID, &c.Ref, &c.Title, &status, &disclosed, &c.CreatedAt, &by,
		&kind, &t0, &c.T0Source, &c.Grade, &c.CVSS, &scope, &resolution, &risk, &updated,
		&indicators, &c.Grading.TableSHA256, &provisional, &c.Grading.Category, &c.Grading.CWE}, extra...)...)
	if err != nil {
		return c, err
	}
	c.Grading.Provisional = provisional == 1
	if indicators != "" {
		c.Grading.Indicators = new(gbt30279.Indicators)
		if err := json.Unmarshal([]byte(indicators), c.Grading.Indicators); err != nil {
			return c, fmt.Errorf("case %d: indicators: %w", c.ID, err)
		}
	}
	c.Status, c.DisclosedAt, c.CreatedAt, c.CreatedBy = casework.Status(status), utcOrZero(disclosed), c.CreatedAt.UTC(), by.Int64
	c.Kind, c.Resolution = casework.Kind(kind), casework.Resolution(resolution)
	c.T0, c.RiskExpiresAt, c.UpdatedAt = utcOrZero(t0), utcOrZero(risk), utcOrZero(updated)
	c.Scope, err = casework.ParseScope(scope)
	return c, err
}

// UpdateCaseState writes c's status, assessment, T0, resolution, risk
// expiry and update time.
func (tx *Tx) UpdateCaseState(ctx context.Context, c casework.Case) error {
	var indicators string
	if c.Grading.Indicators != nil {
		b, err := json.Marshal(c.Grading.Indicators)
		if err != nil {
			return err
		}
		indicators = string(b)
	}
	res, err := tx.exec(ctx, `UPDATE cases SET status = $2, t0 = $3, t0_source = $4, grade = $5, cvss_vector = $6,
		scope = $7, resolution = $8, risk_expires_at = $9, updated_at = $10,
		gbt_indicators = $11, grade_table = $12, grade_provisional = $13, category = $14, cwe = $15,
		disclosed_at = $16 WHERE id = $1`,
		c.ID, string(c.Status), c.T0, c.T0Source, c.Grade, c.CVSS, casework.ScopeJSON(c.Scope), string(c.Resolution),
		nullTime(c.RiskExpiresAt), c.UpdatedAt, indicators, c.Grading.TableSHA256, boolInt(c.Grading.Provisional),
		c.Grading.Category, c.Grading.CWE, nullTime(c.DisclosedAt))
	if err != nil {
		return fmt.Errorf("store: update case: %w", err)
	}
	return mustAffect(res, "no such case")
}

// AddTransition appends to a case's timeline.
func (tx *Tx) AddTransition(ctx context.Context, caseID int64, t casework.Transition) error {
	_, err := tx.exec(ctx, `INSERT INTO case_transitions (case_id, at, actor, from_status, to_status, reason, resolution)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, caseID, t.At, t.Actor, string(t.From), string(t.To), t.Reason, string(t.Resolution))
	if err != nil {
		return fmt.Errorf("store: add case transition: %w", err)
	}
	return nil
}

// CaseTransitions returns a case's timeline, oldest first.
func (tx *Tx) CaseTransitions(ctx context.Context, caseID int64) ([]casework.Transition, error) {
	rows, err := tx.query(ctx, `SELECT at, actor, from_status, to_status, reason, resolution FROM case_transitions
		WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case transitions: %w", err)
	}
	defer rows.Close()
	var out []casework.Transition
	for rows.Next() {
		var t casework.Transition
		var from, to, res string
		if err := rows.Scan(&t.At, &t.Actor, &from, &to, &t.Reason, &res); err != nil {
			return nil, fmt.Errorf("store: case transitions: %w", err)
		}
		t.At, t.From, t.To, t.Resolution = t.At.UTC(), casework.Status(from), casework.Status(to), casework.Resolution(res)
		out = append(out, t)
	}
	return out, rows.Err()
}

// AddCaseAlias gives a case an identifier; errs.Conflict when the
// organisation has it on a case already.
func (tx *Tx) AddCaseAlias(ctx context.Context, org, caseID int64, alias, by string) error {
	_, err := tx.exec(ctx, `INSERT INTO case_aliases (org_id, alias, case_id, added_at, added_by) VALUES ($1, $2, $3, $4, $5)`,
		org, alias, caseID, tx.now, by)
	if err != nil {
		return fmt.Errorf("store: add case alias: %w", conflict(classify(err), "the identifier names another case of the organisation"))
	}
	return nil
}

// CaseReports returns the tracking IDs of the reports linked to a case,
// oldest first.
func (tx *Tx) CaseReports(ctx context.Context, caseID int64) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT tracking_id FROM reports WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case reports: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("store: case reports: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// UserNames returns the display names of org's people by user ID.
func (db *DB) UserNames(ctx context.Context, org int64) (map[int64]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, display_name FROM users WHERE org_id = $1`, org)
	if err != nil {
		return nil, fmt.Errorf("store: user names: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, fmt.Errorf("store: user names: %w", err)
		}
		out[id] = name
	}
	return out, rows.Err()
}

// MoveCaseReport moves report tracking from case from (0: no case) to case
// to (0: none) and returns its receipt time; errs.NotFound when it is not
// on case from.
func (tx *Tx) MoveCaseReport(ctx context.Context, tracking string, from, to int64) (time.Time, error) {
	var at time.Time
	err := tx.queryRow(ctx, `UPDATE reports SET case_id = $3 WHERE tracking_id = $1
		AND ((case_id IS NULL AND $2 = 0) OR case_id = $2) RETURNING received_at`, tracking, from, nullID(to)).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return at, errs.Coded(errs.NotFound, "report.not_found", "no such report on this case")
	}
	if err != nil {
		return at, fmt.Errorf("store: move case report: %w", err)
	}
	return at.UTC(), nil
}

// EarliestCaseReport returns a case's earliest report and its receipt.
func (tx *Tx) EarliestCaseReport(ctx context.Context, caseID int64) (string, time.Time, error) {
	var tracking string
	var at time.Time
	err := tx.queryRow(ctx, `SELECT tracking_id, received_at FROM reports WHERE case_id = $1
		ORDER BY received_at, id LIMIT 1`, caseID).Scan(&tracking, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return "", at, errs.Coded(errs.NotFound, "report.not_found", "no such report on this case")
	}
	if err != nil {
		return "", at, fmt.Errorf("store: earliest case report: %w", err)
	}
	return tracking, at.UTC(), nil
}

// MoveCaseLinks moves a case's reports and identifiers to another case.
func (tx *Tx) MoveCaseLinks(ctx context.Context, from, to int64) error {
	if _, err := tx.exec(ctx, `UPDATE reports SET case_id = $2 WHERE case_id = $1`, from, to); err != nil {
		return fmt.Errorf("store: move case reports: %w", err)
	}
	if _, err := tx.exec(ctx, `UPDATE case_aliases SET case_id = $2 WHERE case_id = $1`, from, to); err != nil {
		return fmt.Errorf("store: move case identifiers: %w", err)
	}
	return nil
}

// CaseAliases returns a case's identifiers, sorted.
func (tx *Tx) CaseAliases(ctx context.Context, caseID int64) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT alias FROM case_aliases WHERE case_id = $1 ORDER BY alias`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case aliases: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("store: case aliases: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CaseByID returns a case and its sealed summary, or errs.NotFound.
func (tx *Tx) CaseByID(ctx context.Context, id int64) (casework.Case, []byte, error) {
	var sealed []byte
	c, err := scanCase(tx.queryRow(ctx, `SELECT `+caseColumns+`, summary FROM cases WHERE id = $1`, id), &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil, errs.New(errs.NotFound, "no such case")
	}
	if err != nil {
		return c, nil, fmt.Errorf("store: read case: %w", err)
	}
	return c, sealed, nil
}

// CasesVisibleTo lists org's cases, newest first: all, or with userID not 0
// those whose access list has userID.
func (db *DB) CasesVisibleTo(ctx context.Context, org, userID int64, limit int) ([]casework.Case, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+caseColumns+` FROM cases c WHERE org_id = $1
		AND ($2 = 0 OR EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = c.id AND a.user_id = $2))
		ORDER BY id DESC LIMIT $3`, org, userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list cases: %w", err)
	}
	defer rows.Close()
	var out []casework.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SearchCases lists org's cases matching f, newest first: all, or with
// userID not 0 those whose access list has userID. A query matches the
// title (trigram full text from 3 characters, a substring below that), the
// reference, or an identifier.
func (db *DB) SearchCases(ctx context.Context, org, userID int64, f casework.Filter) ([]casework.Case, error) {
	// Search text is data: no NUL (which ends SQLite's strings early) and
	// valid UTF-8 (which PostgreSQL requires).
	clean := func(s string) string { return strings.ReplaceAll(strings.ToValidUTF8(s, ""), "\x00", "") }
	f.Query, f.Product, f.Source, f.Grade = clean(f.Query), clean(f.Product), clean(f.Source), clean(f.Grade)
	f.Status, f.Kind = casework.Status(clean(string(f.Status))), casework.Kind(clean(string(f.Kind)))
	where := []string{"c.org_id = $1"}
	args := []any{org}
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if userID != 0 {
		// Only when it applies: PostgreSQL cannot turn an EXISTS under an
		// OR into a join, and would read the user's whole access list.
		where = append(where, "EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = c.id AND a.user_id = "+arg(userID)+")")
	}
	// like binds a LIKE pattern; PostgreSQL cannot infer its type beside ESCAPE.
	like := func(pattern string) string { return "CAST(" + arg(pattern) + ` AS TEXT) ESCAPE '\'` }
	if f.Status != "" {
		where = append(where, "c.status = "+arg(string(f.Status)))
	}
	if f.Kind != "" {
		where = append(where, "c.kind = "+arg(string(f.Kind)))
	}
	if f.Grade != "" {
		where = append(where, "c.grade = "+arg(f.Grade))
	}
	if f.Source != "" {
		where = append(where, "c.t0_source LIKE "+like(likeEscape(f.Source)+"%"))
	}
	if f.Product != "" {
		where = append(where, "c.scope LIKE "+like("%"+likeEscape(f.Product)+"%"))
	}
	if f.Before != 0 {
		where = append(where, "c.id < "+arg(f.Before))
	}
	if f.Assignee != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM case_people x WHERE x.case_id = c.id AND x.role = 'assignee' AND x.user_id = "+arg(f.Assignee)+")")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	cols, filters := caseColumnsAs("c"), strings.Join(where, " AND ")
	var query string
	if q := strings.TrimSpace(f.Query); q == "" {
		query = `SELECT ` + cols + ` FROM cases c WHERE ` + filters + ` ORDER BY c.id DESC LIMIT ` + arg(limit)
	} else {
		// A query matches titles, or names a case by reference or
		// identifier. The two are arms of a UNION rather than one OR, so
		// that each has its index: with the OR, SQLite walked every case
		// of the organisation to test it (bench/README.md).
		var titles string
		switch {
		case utf8.RuneCountInString(q) == 2:
			// Trigrams need 3 characters; table case_title_pairs
			// (migration 0017) holds each title's character pairs, which
			// its key hands out newest first.
			titles = `FROM case_title_pairs p JOIN cases c ON c.id = p.case_id WHERE p.pair = lower(` + arg(q) + `) AND ` + filters +
				` ORDER BY p.case_id DESC`
		case db.dialect == Postgres:
			titles = `FROM cases c WHERE ` + filters + ` AND c.title ILIKE ` + like("%"+likeEscape(q)+"%") + ` ORDER BY c.id DESC`
		case utf8.RuneCountInString(q) >= 3:
			// The trigram index hands its matches out newest first, so a
			// frequent word stops after a page and a rare one costs only
			// its few matches.
			titles = `FROM cases_fts f JOIN cases c ON c.id = f.rowid WHERE f.cases_fts MATCH ` +
				arg(`"`+strings.ReplaceAll(q, `"`, `""`)+`"`) + ` AND ` + filters + ` ORDER BY f.rowid DESC`
		default: // a single character: the titles are scanned
			titles = `FROM cases c WHERE ` + filters + ` AND c.title LIKE ` + like("%"+likeEscape(q)+"%") + ` ORDER BY c.id DESC`
		}
		lim := arg(limit)
		query = `SELECT * FROM (SELECT ` + cols + ` ` + titles + ` LIMIT ` + lim + `) t
			UNION SELECT * FROM (SELECT ` + cols + ` FROM cases c WHERE ` + filters + ` AND c.id IN (
				SELECT id FROM cases WHERE ref = ` + arg(q) + `
				UNION ALL SELECT case_id FROM case_aliases WHERE org_id = $1 AND alias = ` + arg(strings.ToUpper(q)) + `)) e
			ORDER BY id DESC LIMIT ` + lim
	}
	if db.dialect == Postgres {
		// Plan for these values, every time: the best plan depends on how
		// often the searched text occurs (a frequent one wants the newest
		// cases walked until a page is full, a rare one the index), which
		// the generic plan of a cached statement cannot know. One such
		// plan took seconds a search for a frequent pair of characters
		// while a GIN index of the pairs was tried (bench/README.md).
		args = append([]any{pgx.QueryExecModeExec}, args...)
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search cases: %w", err)
	}
	defer rows.Close()
	var out []casework.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: search cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// caseColumnsAs is caseColumns qualified by a table alias.
func caseColumnsAs(alias string) string {
	cols := strings.Split(caseColumns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// likeEscape escapes LIKE's wildcards (with \ as the escape character).
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// HasCaseAccess reports whether userID is on case caseID's access list.
func (tx *Tx) HasCaseAccess(ctx context.Context, caseID, userID int64) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM case_access WHERE case_id = $1 AND user_id = $2`, caseID, userID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: check case access: %w", err)
	}
	return n > 0, nil
}

// GrantCaseAccess adds a user to a case's access list (a repeat is a no-op).
func (tx *Tx) GrantCaseAccess(ctx context.Context, caseID int64, g casework.Grant) error {
	_, err := tx.exec(ctx, `INSERT INTO case_access (case_id, user_id, granted_at, granted_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (case_id, user_id) DO NOTHING`, caseID, g.UserID, g.GrantedAt, g.GrantedBy)
	if IsConstraint(err, ForeignKey) {
		return errs.Wrap(errs.Invalid, err, "no such user")
	}
	if err != nil {
		return fmt.Errorf("store: grant case access: %w", err)
	}
	return nil
}

// CaseAccessList returns a case's access list, in the order granted.
func (tx *Tx) CaseAccessList(ctx context.Context, caseID int64) ([]casework.Grant, error) {
	rows, err := tx.query(ctx, `SELECT user_id, granted_at, granted_by FROM case_access WHERE case_id = $1
		ORDER BY granted_at, user_id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: read case access: %w", err)
	}
	defer rows.Close()
	var out []casework.Grant
	for rows.Next() {
		var g casework.Grant
		if err := rows.Scan(&g.UserID, &g.GrantedAt, &g.GrantedBy); err != nil {
			return nil, fmt.Errorf("store: read case access: %w", err)
		}
		g.GrantedAt = g.GrantedAt.UTC()
		out = append(out, g)
	}
	return out, rows.Err()
}

// UserOrg returns the organisation of a user, or errs.NotFound.
func (tx *Tx) UserOrg(ctx context.Context, userID int64) (int64, error) {
	var org sql.NullInt64
	err := tx.queryRow(ctx, `SELECT org_id FROM users WHERE id = $1`, userID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, errs.New(errs.NotFound, "no such user")
	}
	if err != nil {
		return 0, fmt.Errorf("store: read user organisation: %w", err)
	}
	return org.Int64, nil
}

// ReviewRows returns every account of org, by e-mail address, with the
// refs of the cases on whose access list it is, and the organisation's
// current confidentiality statement version.
func (db *DB) ReviewRows(ctx context.Context, org int64) ([]casework.ReviewEntry, int, error) {
	var version int
	if err := db.read.QueryRowContext(ctx, `SELECT confidentiality_version FROM organisations WHERE id = $1`, org).Scan(&version); err != nil {
		return nil, 0, fmt.Errorf("store: review: %w", err)
	}
	rows, err := db.read.QueryContext(ctx, `
		SELECT u.id, u.email, u.display_name, u.role, u.country, u.disabled_at IS NOT NULL, u.totp_enabled_at IS NOT NULL,
			u.confidentiality_ack_version, COALESCE(c.ref, '')
		FROM users u
		LEFT JOIN case_access a ON a.user_id = u.id
		LEFT JOIN cases c ON c.id = a.case_id
		WHERE u.org_id = $1
		ORDER BY u.email, c.ref`, org)
	if err != nil {
		return nil, 0, fmt.Errorf("store: review: %w", err)
	}
	defer rows.Close()
	var out []casework.ReviewEntry
	for rows.Next() {
		var e casework.ReviewEntry
		var role, ref string
		if err := rows.Scan(&e.UserID, &e.Email, &e.Name, &role, &e.Country, &e.Disabled, &e.TwoFactor, &e.AckVersion, &ref); err != nil {
			return nil, 0, fmt.Errorf("store: review: %w", err)
		}
		if n := len(out); n == 0 || out[n-1].UserID != e.UserID {
			e.Role = access.Role(role)
			out = append(out, e)
		}
		if ref != "" {
			out[len(out)-1].CaseRefs = append(out[len(out)-1].CaseRefs, ref)
		}
	}
	return out, version, rows.Err()
}
