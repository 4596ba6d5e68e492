package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/notify"
)

// TransactNotices runs fn in a transaction, for notice.Service.
func (db *DB) TransactNotices(ctx context.Context, fn func(notice.Tx) error) error {
	return db.Transact(ctx, func(tx *Tx) error { return fn(tx) })
}

// CampaignsIn lists the IDs of the campaigns in state st, oldest first.
func (db *DB) CampaignsIn(ctx context.Context, st notice.State) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id FROM notice_campaigns WHERE state = $1 ORDER BY id`, string(st))
	if err != nil {
		return nil, fmt.Errorf("store: campaigns in %s: %w", st, err)
	}
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, id)
	}
	return out, closeRows(rows)
}

const campaignColumns = `id, org_id, case_id, state, created_by, created_at, sent_by, sent_at, settled_at`

func scanCampaign(r scanner, extra ...any) (notice.Campaign, error) {
	var c notice.Campaign
	var sent, settled sql.NullTime
	err := r.Scan(append([]any{&c.ID, &c.OrgID, &c.CaseID, &c.State, &c.CreatedBy, &c.CreatedAt, &c.SentBy, &sent, &settled}, extra...)...)
	c.CreatedAt, c.SentAt, c.SettledAt = c.CreatedAt.UTC(), utcOrZero(sent), utcOrZero(settled)
	return c, err
}

// CreateCampaign stores c with its sealed content and returns its ID.
func (tx *Tx) CreateCampaign(ctx context.Context, c notice.Campaign, seal func(id int64) ([]byte, error)) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO notice_campaigns (org_id, case_id, state, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.OrgID, c.CaseID, string(c.State), c.CreatedBy, c.CreatedAt).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create campaign: %w", classify(err))
	}
	sealed, err := seal(id)
	if err != nil {
		return 0, err
	}
	if _, err := tx.exec(ctx, `UPDATE notice_campaigns SET content = $2 WHERE id = $1`, id, sealed); err != nil {
		return 0, fmt.Errorf("store: create campaign: %w", err)
	}
	return id, nil
}

// CampaignByID returns campaign id with its sealed content; errs.NotFound.
func (tx *Tx) CampaignByID(ctx context.Context, id int64) (notice.Campaign, []byte, error) {
	var sealed []byte
	c, err := scanCampaign(tx.queryRow(ctx, `SELECT `+campaignColumns+`, content FROM notice_campaigns WHERE id = $1`, id), &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil, errs.Coded(errs.NotFound, "notice.not_found", "no such campaign")
	}
	if err != nil {
		return c, nil, fmt.Errorf("store: campaign: %w", err)
	}
	return c, sealed, nil
}

// CaseCampaigns lists a case's campaigns, newest first, unopened.
func (tx *Tx) CaseCampaigns(ctx context.Context, caseID int64) ([]notice.Campaign, error) {
	rows, err := tx.query(ctx, `SELECT `+campaignColumns+` FROM notice_campaigns WHERE case_id = $1 ORDER BY id DESC`, caseID)
	if err != nil {
		return nil, fmt.Errorf("store: case campaigns: %w", err)
	}
	var out []notice.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: case campaigns: %w", err)
		}
		out = append(out, c)
	}
	return out, closeRows(rows)
}

// UpdateCampaign writes c's state, sender, send and settle times.
func (tx *Tx) UpdateCampaign(ctx context.Context, c notice.Campaign) error {
	_, err := tx.exec(ctx, `UPDATE notice_campaigns SET state = $2, sent_by = $3, sent_at = $4, settled_at = $5 WHERE id = $1`,
		c.ID, string(c.State), c.SentBy, nullTime(c.SentAt), nullTime(c.SettledAt))
	if err != nil {
		return fmt.Errorf("store: update campaign: %w", err)
	}
	return nil
}

// AddRecipient stores r and returns its ID. Its link token hash is a
// random placeholder until the message is enqueued (QueueRecipient).
func (tx *Tx) AddRecipient(ctx context.Context, r notice.Recipient) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO notice_recipients (campaign_id, party_id, subscription_id, name, kind, country,
			language, channel, target, versions, token_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		r.CampaignID, r.PartyID, r.SubscriptionID, r.Name, r.Kind, r.Country, r.Language, string(r.Channel), r.Target,
		strings.Join(r.Versions, "\n"), "unsent:"+randomHex(16)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: add recipient: %w", classify(err))
	}
	return id, nil
}

const recipientColumns = `r.id, r.campaign_id, r.party_id, r.subscription_id, r.name, r.kind, r.country, r.language,
	r.channel, r.target, r.versions, r.detail, r.gate_why, r.outbox_id, r.attempt, r.acknowledged_at,
	o.state, o.sent_at, o.last_error`

const recipientFrom = ` FROM notice_recipients r LEFT JOIN outbox o ON o.id = r.outbox_id `

func scanRecipient(s scanner) (notice.Recipient, error) {
	var r notice.Recipient
	var versions string
	var outbox sql.NullInt64
	var ack, sent sql.NullTime
	var state, lastErr sql.NullString
	err := s.Scan(&r.ID, &r.CampaignID, &r.PartyID, &r.SubscriptionID, &r.Name, &r.Kind, &r.Country, &r.Language,
		&r.Channel, &r.Target, &versions, &r.Detail, &r.GateWhy, &outbox, &r.Attempt, &ack, &state, &sent, &lastErr)
	if versions != "" {
		r.Versions = strings.Split(versions, "\n")
	}
	r.OutboxID, r.AcknowledgedAt, r.Outbox, r.SentAt, r.LastError = outbox.Int64, utcOrZero(ack), notify.State(state.String),
		utcOrZero(sent), lastErr.String
	return r, err
}

func (tx *Tx) recipients(ctx context.Context, where string, args ...any) ([]notice.Recipient, error) {
	rows, err := tx.query(ctx, `SELECT `+recipientColumns+recipientFrom+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: recipients: %w", err)
	}
	var out []notice.Recipient
	for rows.Next() {
		r, err := scanRecipient(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: recipients: %w", err)
		}
		out = append(out, r)
	}
	return out, closeRows(rows)
}

// CampaignRecipients lists a campaign's recipients with their outbox rows'
// state, by ID.
func (tx *Tx) CampaignRecipients(ctx context.Context, campaignID int64) ([]notice.Recipient, error) {
	return tx.recipients(ctx, `WHERE r.campaign_id = $1 ORDER BY r.id`, campaignID)
}

// UnqueuedRecipients lists up to limit recipients without an outbox row.
func (tx *Tx) UnqueuedRecipients(ctx context.Context, campaignID int64, limit int) ([]notice.Recipient, error) {
	return tx.recipients(ctx, `WHERE r.campaign_id = $1 AND r.outbox_id IS NULL ORDER BY r.id LIMIT $2`, campaignID, limit)
}

// QueueRecipient records r's outbox row, attempt, detail, gate reason and
// link token hash.
func (tx *Tx) QueueRecipient(ctx context.Context, r notice.Recipient, tokenHash string) error {
	_, err := tx.exec(ctx, `UPDATE notice_recipients SET outbox_id = $2, attempt = $3, detail = $4, gate_why = $5,
		token_hash = $6 WHERE id = $1`, r.ID, r.OutboxID, r.Attempt, r.Detail, r.GateWhy, tokenHash)
	if err != nil {
		return fmt.Errorf("store: queue recipient: %w", classify(err))
	}
	return nil
}

// RequeueRecipients forgets the dead outbox rows of a campaign's
// recipients and returns how many.
func (tx *Tx) RequeueRecipients(ctx context.Context, campaignID int64) (int, error) {
	res, err := tx.exec(ctx, `UPDATE notice_recipients SET outbox_id = NULL
		WHERE campaign_id = $1 AND acknowledged_at IS NULL
			AND outbox_id IN (SELECT id FROM outbox WHERE state = 'dead')`, campaignID)
	if err != nil {
		return 0, fmt.Errorf("store: requeue recipients: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RecipientByToken returns the recipient whose link token hashes to hash.
func (tx *Tx) RecipientByToken(ctx context.Context, hash string) (notice.Recipient, error) {
	rs, err := tx.recipients(ctx, `WHERE r.token_hash = $1`, hash)
	if err != nil {
		return notice.Recipient{}, err
	}
	if len(rs) == 0 {
		return notice.Recipient{}, errs.Coded(errs.NotFound, "notice.link", "this link is not valid (any more)")
	}
	return rs[0], nil
}

// AcknowledgeRecipient records the first acknowledgement.
func (tx *Tx) AcknowledgeRecipient(ctx context.Context, id int64, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE notice_recipients SET acknowledged_at = $2 WHERE id = $1 AND acknowledged_at IS NULL`, id, at)
	if err != nil {
		return fmt.Errorf("store: acknowledge: %w", err)
	}
	return nil
}

// DeadOutbox stores r as a dead outbox row and returns its ID.
func (tx *Tx) DeadOutbox(ctx context.Context, r notify.Row) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO outbox (org_id, kind, dedup_key, target, payload, state, attempts, next_attempt_at,
			last_error, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'dead', 0, $6, $7, $6, $6) RETURNING id`,
		nullID(r.OrgID), string(r.Kind), r.DedupKey, r.Target, []byte{}, tx.now, r.LastError).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: dead outbox row: %w", classify(err))
	}
	return id, nil
}

// CampaignProgress counts a campaign's recipients by outcome.
func (tx *Tx) CampaignProgress(ctx context.Context, campaignID int64) (notice.Progress, error) {
	var p notice.Progress
	err := tx.queryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN r.acknowledged_at IS NULL AND (o.state IS NULL OR o.state IN ('pending', 'sending'))
				THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN r.acknowledged_at IS NOT NULL OR o.state = 'sent' THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN r.acknowledged_at IS NULL AND o.state = 'dead' THEN 1 ELSE 0 END), 0)
		`+recipientFrom+` WHERE r.campaign_id = $1`, campaignID).Scan(&p.Queued, &p.Reached, &p.NotReached)
	if err != nil {
		return p, fmt.Errorf("store: campaign progress: %w", err)
	}
	// The latest delivery, read as a column (an aggregate loses its type
	// on SQLite).
	var last sql.NullTime
	err = tx.queryRow(ctx, `SELECT o.sent_at`+recipientFrom+`WHERE r.campaign_id = $1 AND o.sent_at IS NOT NULL
		ORDER BY o.sent_at DESC LIMIT 1`, campaignID).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return p, fmt.Errorf("store: campaign progress: %w", err)
	}
	p.LastAt = utcOrZero(last)
	return p, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
