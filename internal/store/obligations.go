package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/disclosure"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/obligation"
)

// TransactObligations runs fn in one obligations transaction.
func (db *DB) TransactObligations(ctx context.Context, fn func(obligation.Tx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// CaseFacts returns a case's facts (zero when none were recorded).
func (tx *Tx) CaseFacts(ctx context.Context, caseID int64) (casework.Facts, error) {
	var f casework.Facts
	var supID sql.NullInt64
	var supName, supCountry, supEmail sql.NullString
	var upAt, fixAt, exAt, inAt sql.NullTime
	var userAction int
	err := tx.queryRow(ctx, `SELECT f.root_component, f.upstream_supplier_id, s.name, s.country, s.email, f.upstream_at,
		f.user_action, f.fix_available_at, f.exploited_at, f.exploited_evidence, f.incident_at, f.incident_evidence
		FROM case_facts f LEFT JOIN product_suppliers s ON s.id = f.upstream_supplier_id WHERE f.case_id = $1`, caseID).Scan(
		&f.RootComponent, &supID, &supName, &supCountry, &supEmail, &upAt, &userAction, &fixAt, &exAt, &f.ExploitedEvidence,
		&inAt, &f.IncidentEvidence)
	if errors.Is(err, sql.ErrNoRows) {
		return casework.Facts{}, nil
	}
	if err != nil {
		return f, fmt.Errorf("store: case facts: %w", err)
	}
	if supID.Valid {
		f.Upstream = &casework.Supplier{ID: supID.Int64, Name: supName.String, Country: supCountry.String, Email: supEmail.String}
	}
	f.UpstreamAt, f.FixAvailableAt, f.ExploitedAt, f.IncidentAt = utcOrZero(upAt), utcOrZero(fixAt), utcOrZero(exAt), utcOrZero(inAt)
	f.UserAction = userAction == 1
	return f, nil
}

// PutCaseFacts stores a case's facts.
func (tx *Tx) PutCaseFacts(ctx context.Context, caseID int64, f casework.Facts) error {
	var sup sql.NullInt64
	if f.Upstream != nil {
		sup = sql.NullInt64{Int64: f.Upstream.ID, Valid: true}
	}
	_, err := tx.exec(ctx, `INSERT INTO case_facts (case_id, root_component, upstream_supplier_id, upstream_at, user_action,
		fix_available_at, exploited_at, exploited_evidence, incident_at, incident_evidence)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (case_id) DO UPDATE SET root_component = excluded.root_component,
		upstream_supplier_id = excluded.upstream_supplier_id, upstream_at = excluded.upstream_at,
		user_action = excluded.user_action, fix_available_at = excluded.fix_available_at,
		exploited_at = excluded.exploited_at, exploited_evidence = excluded.exploited_evidence,
		incident_at = excluded.incident_at, incident_evidence = excluded.incident_evidence`,
		caseID, f.RootComponent, sup, nullTime(f.UpstreamAt), boolInt(f.UserAction), nullTime(f.FixAvailableAt),
		nullTime(f.ExploitedAt), f.ExploitedEvidence, nullTime(f.IncidentAt), f.IncidentEvidence)
	if err != nil {
		return fmt.Errorf("store: put case facts: %w", err)
	}
	return nil
}

// SupplierByName returns org's catalogue supplier name; errs.NotFound.
func (tx *Tx) SupplierByName(ctx context.Context, org int64, name string) (casework.Supplier, error) {
	s := casework.Supplier{Name: name}
	err := tx.queryRow(ctx, `SELECT id, country, email FROM product_suppliers WHERE org_id = $1 AND name = $2`, org, name).
		Scan(&s.ID, &s.Country, &s.Email)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.New(errs.NotFound, "no such supplier")
	}
	if err != nil {
		return s, fmt.Errorf("store: supplier: %w", err)
	}
	return s, nil
}

const obligationColumns = `o.id, o.org_id, o.case_id, o.regime, o.pack_version, o.duty, o.requirement, o.anchor_at, o.due_at,
	o.outer_bound_at, o.state, o.closed_at, o.closed_by, o.reason, o.fired, o.created_at, o.updated_at`

func scanObligation(row interface{ Scan(...any) error }, extra ...any) (obligation.Obligation, error) {
	var o obligation.Obligation
	var regime, state, fired string
	var outer, closed sql.NullTime
	err := row.Scan(append([]any{&o.ID, &o.OrgID, &o.CaseID, &regime, &o.PackVersion, &o.Duty, &o.Requirement, &o.AnchorAt,
		&o.DueAt, &outer, &state, &closed, &o.ClosedBy, &o.Reason, &fired, &o.CreatedAt, &o.UpdatedAt}, extra...)...)
	o.Regime, o.Stored = obligation.Regime(regime), obligation.Stored(state)
	o.OuterBound, o.ClosedAt = utcOrZero(outer), utcOrZero(closed)
	o.AnchorAt, o.DueAt, o.CreatedAt, o.UpdatedAt = o.AnchorAt.UTC(), o.DueAt.UTC(), o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	if fired != "" {
		o.Fired = strings.Split(fired, ",")
	}
	return o, err
}

// CaseObligations returns a case's obligations with their evidence, in
// the order they were raised.
func (tx *Tx) CaseObligations(ctx context.Context, caseID int64) ([]obligation.Obligation, error) {
	rows, err := tx.query(ctx, `SELECT `+obligationColumns+` FROM obligations o WHERE o.case_id = $1 ORDER BY o.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case obligations: %w", err)
	}
	var out []obligation.Obligation
	for rows.Next() {
		o, err := scanObligation(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: case obligations: %w", err)
		}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Evidence, err = tx.evidence(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (tx *Tx) evidence(ctx context.Context, id int64) ([]obligation.Evidence, error) {
	rows, err := tx.query(ctx, `SELECT kind, ref, at, sha256, note FROM obligation_evidence WHERE obligation_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: evidence: %w", err)
	}
	defer rows.Close()
	var out []obligation.Evidence
	for rows.Next() {
		var e obligation.Evidence
		var kind string
		if err := rows.Scan(&kind, &e.Ref, &e.At, &e.SHA256, &e.Note); err != nil {
			return nil, fmt.Errorf("store: evidence: %w", err)
		}
		e.Kind, e.At = obligation.EvidenceKind(kind), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// InsertObligation stores a new obligation and returns its ID.
func (tx *Tx) InsertObligation(ctx context.Context, o obligation.Obligation) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO obligations (org_id, case_id, regime, pack_version, duty, requirement, anchor_at,
		due_at, outer_bound_at, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		RETURNING id`, o.OrgID, o.CaseID, string(o.Regime), o.PackVersion, o.Duty, o.Requirement, o.AnchorAt, o.DueAt,
		nullTime(o.OuterBound), string(o.Stored), o.CreatedAt, o.UpdatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: insert obligation: %w", classify(err))
	}
	return id, nil
}

// UpdateObligation writes an obligation's schedule, state and closure.
func (tx *Tx) UpdateObligation(ctx context.Context, o obligation.Obligation) error {
	res, err := tx.exec(ctx, `UPDATE obligations SET pack_version = $2, anchor_at = $3, due_at = $4, outer_bound_at = $5,
		state = $6, closed_at = $7, closed_by = $8, reason = $9, fired = $10, updated_at = $11 WHERE id = $1`,
		o.ID, o.PackVersion, o.AnchorAt, o.DueAt, nullTime(o.OuterBound), string(o.Stored), nullTime(o.ClosedAt), o.ClosedBy,
		o.Reason, strings.Join(o.Fired, ","), o.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: update obligation: %w", err)
	}
	return mustAffect(res, "no such obligation")
}

// ObligationByID returns obligation id; errs.NotFound.
func (tx *Tx) ObligationByID(ctx context.Context, id int64) (obligation.Obligation, error) {
	o, err := scanObligation(tx.queryRow(ctx, `SELECT `+obligationColumns+` FROM obligations o WHERE o.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errs.Coded(errs.NotFound, "obligation.not_found", "no such obligation")
	}
	if err != nil {
		return o, fmt.Errorf("store: obligation: %w", err)
	}
	o.Evidence, err = tx.evidence(ctx, id)
	return o, err
}

// AddEvidence records what met an obligation.
func (tx *Tx) AddEvidence(ctx context.Context, id int64, e obligation.Evidence) error {
	_, err := tx.exec(ctx, `INSERT INTO obligation_evidence (obligation_id, kind, ref, at, sha256, note)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, string(e.Kind), e.Ref, e.At, e.SHA256, e.Note)
	if err != nil {
		return fmt.Errorf("store: add evidence: %w", err)
	}
	return nil
}

// ObligationSettings returns org's settings (zero when none).
func (tx *Tx) ObligationSettings(ctx context.Context, org int64) (obligation.OrgSettings, error) {
	var s obligation.OrgSettings
	var raw string
	err := tx.queryRow(ctx, `SELECT settings FROM obligation_settings WHERE org_id = $1`, org).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("store: obligation settings: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("store: obligation settings: %w", err)
	}
	return s, nil
}

// PutObligationSettings stores org's settings.
func (tx *Tx) PutObligationSettings(ctx context.Context, org int64, s obligation.OrgSettings, by string) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO obligation_settings (org_id, settings, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at,
		updated_by = excluded.updated_by`, org, string(b), tx.now, by)
	if err != nil {
		return fmt.Errorf("store: put obligation settings: %w", err)
	}
	return nil
}

const submissionColumns = `s.id, s.org_id, s.case_id, s.duty, s.version, s.recipient, s.recipient_country, s.channel,
	s.snapshot, s.snapshot_sha256, s.submitted_at, s.submitted_by, s.reference, s.outbox_id, s.delivered_at`

func scanSubmission(row interface{ Scan(...any) error }, extra ...any) (obligation.Submission, error) {
	var s obligation.Submission
	var outbox sql.NullInt64
	var delivered sql.NullTime
	err := row.Scan(append([]any{&s.ID, &s.OrgID, &s.CaseID, &s.Duty, &s.Version, &s.Recipient, &s.Country, &s.Channel,
		&s.Snapshot, &s.SHA256, &s.SubmittedAt, &s.SubmittedBy, &s.Reference, &outbox, &delivered}, extra...)...)
	s.OutboxID, s.DeliveredAt, s.SubmittedAt = outbox.Int64, utcOrZero(delivered), s.SubmittedAt.UTC()
	return s, err
}

// Submissions returns a case's submissions, oldest first, sealed.
func (tx *Tx) Submissions(ctx context.Context, caseID int64) ([]obligation.Submission, error) {
	rows, err := tx.query(ctx, `SELECT `+submissionColumns+` FROM submissions s WHERE s.case_id = $1 ORDER BY s.id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: submissions: %w", err)
	}
	defer rows.Close()
	var out []obligation.Submission
	for rows.Next() {
		s, err := scanSubmission(rows)
		if err != nil {
			return nil, fmt.Errorf("store: submissions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// AddSubmission stores a frozen submission and returns its ID.
func (tx *Tx) AddSubmission(ctx context.Context, s obligation.Submission) (int64, error) {
	var id int64
	var outbox sql.NullInt64
	if s.OutboxID != 0 {
		outbox = sql.NullInt64{Int64: s.OutboxID, Valid: true}
	}
	err := tx.queryRow(ctx, `INSERT INTO submissions (org_id, case_id, duty, version, recipient, recipient_country, channel,
		snapshot, snapshot_sha256, submitted_at, submitted_by, reference, outbox_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		s.OrgID, s.CaseID, s.Duty, s.Version, s.Recipient, s.Country, s.Channel, s.Snapshot, s.SHA256, s.SubmittedAt,
		s.SubmittedBy, s.Reference, outbox).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: add submission: %w", classify(err))
	}
	return id, nil
}

// MarkDelivered records when an e-mailed submission was delivered.
func (tx *Tx) MarkDelivered(ctx context.Context, id int64, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE submissions SET delivered_at = $2 WHERE id = $1 AND delivered_at IS NULL`, id, at)
	if err != nil {
		return fmt.Errorf("store: mark delivered: %w", err)
	}
	return mustAffect(res, "no such undelivered submission")
}

// DutyPeople returns the active people escalations of a case go to: its
// assignees and the organisation's compliance officers (only the latter
// when caseID is 0).
func (tx *Tx) DutyPeople(ctx context.Context, org, caseID int64) ([]obligation.Person, error) {
	rows, err := tx.query(ctx, `SELECT u.id, u.email, u.role FROM users u WHERE u.org_id = $1 AND u.disabled_at IS NULL
		AND (u.role = $2 OR EXISTS (SELECT 1 FROM case_people p WHERE p.case_id = $3 AND p.user_id = u.id AND p.role = 'assignee'))
		ORDER BY u.id`, org, string(access.ComplianceOfficer), caseID)
	if err != nil {
		return nil, fmt.Errorf("store: duty people: %w", err)
	}
	defer rows.Close()
	var out []obligation.Person
	for rows.Next() {
		var p obligation.Person
		var role string
		if err := rows.Scan(&p.UserID, &p.Email, &role); err != nil {
			return nil, fmt.Errorf("store: duty people: %w", err)
		}
		p.Role = access.Role(role)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ReportFields returns the sealed written parts of a case's report for
// duty; nil when none were saved.
func (tx *Tx) ReportFields(ctx context.Context, caseID int64, duty string) ([]byte, error) {
	var b []byte
	err := tx.queryRow(ctx, `SELECT fields FROM report_drafts WHERE case_id = $1 AND duty = $2`, caseID, duty).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: report fields: %w", err)
	}
	return b, nil
}

// PutReportFields stores the sealed written parts of a case's report.
func (tx *Tx) PutReportFields(ctx context.Context, caseID int64, duty string, sealed []byte, by string) error {
	_, err := tx.exec(ctx, `INSERT INTO report_drafts (case_id, duty, fields, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (case_id, duty) DO UPDATE SET fields = excluded.fields, updated_at = excluded.updated_at,
		updated_by = excluded.updated_by`, caseID, duty, sealed, tx.now, by)
	if err != nil {
		return fmt.Errorf("store: put report fields: %w", err)
	}
	return nil
}

// OrganisationName returns org's name.
func (tx *Tx) OrganisationName(ctx context.Context, org int64) (string, error) {
	var name string
	if err := tx.queryRow(ctx, `SELECT name FROM organisations WHERE id = $1`, org).Scan(&name); err != nil {
		return "", fmt.Errorf("store: organisation name: %w", err)
	}
	return name, nil
}

// SharingDecisions returns the legal decisions recorded on a case.
func (tx *Tx) SharingDecisions(ctx context.Context, caseID int64) ([]disclosure.Decision, error) {
	rows, err := tx.query(ctx, `SELECT id, case_id, recipient, recipient_country, basis, decided_by, decided_at, expires_at
		FROM sharing_decisions WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: sharing decisions: %w", err)
	}
	defer rows.Close()
	var out []disclosure.Decision
	for rows.Next() {
		var d disclosure.Decision
		if err := rows.Scan(&d.ID, &d.CaseID, &d.Recipient, &d.Country, &d.Basis, &d.DecidedBy, &d.DecidedAt, &d.ExpiresAt); err != nil {
			return nil, fmt.Errorf("store: sharing decisions: %w", err)
		}
		d.DecidedAt, d.ExpiresAt = d.DecidedAt.UTC(), d.ExpiresAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// AddSharingDecision records a legal decision and returns its ID.
func (tx *Tx) AddSharingDecision(ctx context.Context, org int64, d disclosure.Decision) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO sharing_decisions (org_id, case_id, recipient, recipient_country, basis, decided_by,
		decided_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		org, d.CaseID, d.Recipient, d.Country, d.Basis, d.DecidedBy, d.DecidedAt, d.ExpiresAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: add sharing decision: %w", err)
	}
	return id, nil
}

// OpenObligations lists org's open obligations with their case's reference
// and title, soonest due first: all, or with userID not 0 those of cases
// whose access list has userID.
func (db *DB) OpenObligations(ctx context.Context, org, userID int64, limit int) ([]obligation.Obligation, error) {
	return db.obligations(ctx, `SELECT `+obligationColumns+`, c.ref, c.title FROM obligations o JOIN cases c ON c.id = o.case_id
		WHERE o.org_id = $1 AND o.state = 'open'
		AND ($2 = 0 OR EXISTS (SELECT 1 FROM case_access a WHERE a.case_id = o.case_id AND a.user_id = $2))
		ORDER BY o.due_at, o.id LIMIT $3`, org, userID, limit)
}

// EscalationCandidates lists open obligations of every organisation due
// before the given time, soonest first.
func (db *DB) EscalationCandidates(ctx context.Context, before time.Time) ([]obligation.Obligation, error) {
	return db.obligations(ctx, `SELECT `+obligationColumns+`, c.ref, c.title FROM obligations o JOIN cases c ON c.id = o.case_id
		WHERE o.state = 'open' AND o.due_at < $1 ORDER BY o.due_at, o.id`, before)
}

// AllObligations lists org's obligations in every state, oldest first.
func (db *DB) AllObligations(ctx context.Context, org int64) ([]obligation.Obligation, error) {
	return db.obligations(ctx, `SELECT `+obligationColumns+`, c.ref, c.title FROM obligations o JOIN cases c ON c.id = o.case_id
		WHERE o.org_id = $1 ORDER BY o.id`, org)
}

func (db *DB) obligations(ctx context.Context, query string, args ...any) ([]obligation.Obligation, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: obligations: %w", err)
	}
	defer rows.Close()
	var out []obligation.Obligation
	for rows.Next() {
		var o obligation.Obligation
		var ref, title string
		if o, err = scanObligation(rows, &ref, &title); err != nil {
			return nil, fmt.Errorf("store: obligations: %w", err)
		}
		o.CaseRef, o.CaseTitle = ref, title
		out = append(out, o)
	}
	return out, rows.Err()
}

// UndeliveredNotices lists e-mailed submissions whose outbox message was
// sent but whose delivery is not yet recorded, with the send time.
func (db *DB) UndeliveredNotices(ctx context.Context) ([]obligation.Submission, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+submissionColumns+`, m.sent_at FROM submissions s
		JOIN outbox m ON m.id = s.outbox_id WHERE s.delivered_at IS NULL AND m.state = 'sent' ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("store: undelivered notices: %w", err)
	}
	defer rows.Close()
	var out []obligation.Submission
	for rows.Next() {
		var sent sql.NullTime
		s, err := scanSubmission(rows, &sent)
		if err != nil {
			return nil, fmt.Errorf("store: undelivered notices: %w", err)
		}
		s.OutboxSentAt = utcOrZero(sent)
		out = append(out, s)
	}
	return out, rows.Err()
}

var (
	_ obligation.Tx    = (*Tx)(nil)
	_ obligation.Store = (*DB)(nil)
)

// OpenCaseIDs lists the IDs of org's cases that are not closed.
func (db *DB) OpenCaseIDs(ctx context.Context, org int64) ([]int64, error) {
	ids, err := db.ids(ctx, `SELECT id FROM cases WHERE org_id = $1 AND status <> 'closed' ORDER BY id`, org)
	if err != nil {
		return nil, fmt.Errorf("store: open cases: %w", err)
	}
	return ids, nil
}

// ids runs a query of one integer column and returns its values.
func (db *DB) ids(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// AckSpans returns, per report of org, its receipt and its first answer
// (zero while unanswered).
func (db *DB) AckSpans(ctx context.Context, org int64) ([]obligation.Span, error) {
	return db.spans(ctx, `SELECT received_at, acknowledged_at FROM reports WHERE org_id = $1`, org)
}

// FixSpans returns, per case of org with a fix, its T0 and the fix time.
func (db *DB) FixSpans(ctx context.Context, org int64) ([]obligation.Span, error) {
	return db.spans(ctx, `SELECT c.t0, f.fix_available_at FROM cases c JOIN case_facts f ON f.case_id = c.id
		WHERE c.org_id = $1 AND f.fix_available_at IS NOT NULL`, org)
}

func (db *DB) spans(ctx context.Context, query string, args ...any) ([]obligation.Span, error) {
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: spans: %w", err)
	}
	defer rows.Close()
	var out []obligation.Span
	for rows.Next() {
		var from, to sql.NullTime
		if err := rows.Scan(&from, &to); err != nil {
			return nil, fmt.Errorf("store: spans: %w", err)
		}
		out = append(out, obligation.Span{From: utcOrZero(from), To: utcOrZero(to)})
	}
	return out, rows.Err()
}

var _ obligation.DashboardStore = (*DB)(nil)
