package obligation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/notify"
)

// SweepReport says what one sweep did.
type SweepReport struct {
	Escalated int // escalations announced
	Delivered int // e-mailed notices found delivered (and their duties met)
	Digests   int // daily digests queued
}

// horizon is how far ahead the sweep looks for thresholds to cross: the
// longest threshold an organisation may set.
const horizon = 14 * 24 * time.Hour

// Sweep does the engine's timed work as of now, idempotently (it may run
// on several nodes or twice): it records the delivery of e-mailed notices
// and meets their duties, announces each escalation threshold an open
// obligation has crossed (once), and from 08:00 China Standard Time queues
// each organisation's daily digest of the duties due within two days.
func (s *Service) Sweep(ctx context.Context, now time.Time) (SweepReport, error) {
	var rep SweepReport
	subs, err := s.store.UndeliveredNotices(ctx)
	if err != nil {
		return rep, err
	}
	for _, sub := range subs {
		if err := s.delivered(ctx, sub); err != nil {
			return rep, err
		}
		rep.Delivered++
	}
	cands, err := s.store.EscalationCandidates(ctx, now.Add(horizon))
	if err != nil {
		return rep, err
	}
	for _, o := range cands {
		ok, err := s.escalate(ctx, o.ID, now)
		if err != nil {
			return rep, err
		}
		if ok {
			rep.Escalated++
		}
	}
	if now.In(CST).Hour() >= 8 {
		if rep.Digests, err = s.digests(ctx, cands, now); err != nil {
			return rep, err
		}
	}
	if rep.Escalated+rep.Digests > 0 && s.notes != nil {
		s.notes.Wake()
	}
	return rep, nil
}

// delivered records an e-mailed submission's delivery and meets its duty.
func (s *Service) delivered(ctx context.Context, sub Submission) error {
	return s.transact(ctx, func(tx Tx) error {
		if err := tx.MarkDelivered(ctx, sub.ID, sub.OutboxSentAt); err != nil {
			return err
		}
		c, _, err := tx.CaseByID(ctx, sub.CaseID)
		if err != nil {
			return err
		}
		o, ok, err := openDuty(ctx, tx, sub.CaseID, sub.Duty)
		if err != nil || !ok {
			return err
		}
		return s.meet(ctx, tx, c, o, "system", submissionEvidence(sub, sub.OutboxSentAt))
	})
}

// escalate announces the threshold obligation id has crossed, if any.
func (s *Service) escalate(ctx context.Context, id int64, now time.Time) (bool, error) {
	var done bool
	err := s.transact(ctx, func(tx Tx) error {
		o, err := tx.ObligationByID(ctx, id)
		if err != nil || o.Stored != Open {
			return err
		}
		st, err := tx.ObligationSettings(ctx, o.OrgID)
		if err != nil {
			return err
		}
		th, crossed, ok := Escalate(st.thresholds(), o.AnchorAt, o.DueAt, now, o.Fired)
		if len(crossed) == 0 {
			return nil
		}
		o.Fired, o.UpdatedAt = append(o.Fired, crossed...), tx.Now()
		if err := tx.UpdateObligation(ctx, o); err != nil {
			return err
		}
		c, _, err := tx.CaseByID(ctx, o.CaseID)
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if err := s.announce(ctx, tx, c, o, th, now); err != nil {
			return err
		}
		done = true
		return auditObl(ctx, tx, "obligation.escalate", c, o, map[string]any{"threshold": th.Name(), "passed": crossed})
	})
	return done, err
}

// announce queues an escalation to the case's assignees, the compliance
// officers and the channels. It names the case and the duty, never the
// vulnerability's title or content (RMSV Art. 11).
func (s *Service) announce(ctx context.Context, tx Tx, c casework.Case, o Obligation, th Threshold, now time.Time) error {
	if s.notes == nil {
		return nil
	}
	_, r, _ := Find(s.packs, o.Regime, o.Duty)
	when := "已逾期 / is overdue"
	if th.Before > 0 {
		when = fmt.Sprintf("将在 %s 内到期 / is due within %s", th.Name(), th.Name())
	}
	text := fmt.Sprintf("%s：%s %s\n%s (%s): %s\n\n到期时间 Due: %s（北京时间 CST） / %s UTC\n%scases/%d\n",
		c.Ref, r.TitleZH, when, c.Ref, o.Requirement, r.TitleEN, o.DueAt.In(CST).Format("2006-01-02 15:04"),
		o.DueAt.UTC().Format("2006-01-02 15:04"), s.notes.BaseURL, c.ID)
	subject := fmt.Sprintf("[%s] %s — %s", c.Ref, r.TitleZH, when)
	key := fmt.Sprintf("obligation:%d:%s", o.ID, th.Name())
	var msgs []notify.Message
	if s.notes.Email {
		people, err := tx.DutyPeople(ctx, c.OrgID, c.ID)
		if err != nil {
			return err
		}
		for _, p := range people {
			msgs = append(msgs, notify.Message{Kind: notify.Email, DedupKey: fmt.Sprintf("%s:user:%d", key, p.UserID),
				Target: p.Email, Subject: subject, Text: text})
		}
	}
	for i, t := range s.notes.Channels {
		m := notify.Message{Kind: t.Kind, DedupKey: fmt.Sprintf("%s:channel:%d", key, i), Target: t.Target, Secret: t.Secret,
			Subject: subject, Text: text, Event: "obligation.escalate"}
		if t.Kind == notify.Webhook {
			m.Data = fmt.Appendf(nil, `{"case":%q,"duty":%q,"requirement":%q,"due_at":%q,"threshold":%q}`, c.Ref, o.Duty,
				o.Requirement, o.DueAt.UTC().Format(time.RFC3339), th.Name())
		}
		msgs = append(msgs, m)
	}
	for _, m := range msgs {
		m.OrgID = c.OrgID
		if _, err := s.notes.Notifier.EnqueueTx(ctx, tx, m); err != nil {
			return err
		}
	}
	return nil
}

// digests queues, once per China Standard Time day, each organisation's
// digest of its open duties due within two days or overdue, to its
// compliance officers.
func (s *Service) digests(ctx context.Context, cands []Obligation, now time.Time) (int, error) {
	if s.notes == nil || !s.notes.Email {
		return 0, nil
	}
	byOrg := map[int64][]Obligation{}
	for _, o := range cands {
		if o.DueAt.Before(now.Add(48 * time.Hour)) {
			byOrg[o.OrgID] = append(byOrg[o.OrgID], o)
		}
	}
	day := now.In(CST).Format("2006-01-02")
	n := 0
	for org, os := range byOrg {
		slices.SortFunc(os, func(a, b Obligation) int { return a.DueAt.Compare(b.DueAt) })
		var b strings.Builder
		fmt.Fprintf(&b, "%s 待办法定义务（48 小时内到期或已逾期）/ Legal duties due within 48 hours or overdue, %s:\n\n", day, day)
		for _, o := range os {
			_, r, _ := Find(s.packs, o.Regime, o.Duty)
			fmt.Fprintf(&b, "- %s  %s / %s  %s CST  [%s]\n  %scases/%d\n", o.CaseRef, r.TitleZH, r.TitleEN,
				o.DueAt.In(CST).Format("2006-01-02 15:04"), OpenState(o.AnchorAt, o.DueAt, now), s.notes.BaseURL, o.CaseID)
		}
		fmt.Fprintf(&b, "\n%sobligations\n", s.notes.BaseURL)
		err := s.transact(ctx, func(tx Tx) error {
			people, err := tx.DutyPeople(ctx, org, 0)
			if err != nil {
				return err
			}
			for _, p := range people {
				if _, err := s.notes.Notifier.EnqueueTx(ctx, tx, notify.Message{OrgID: org, Kind: notify.Email,
					DedupKey: fmt.Sprintf("obligation-digest:%d:%s:%d", org, day, p.UserID), Target: p.Email,
					Subject: fmt.Sprintf("%s 法定义务日报 / Daily digest of legal duties (%d)", day, len(os)), Text: b.String()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
