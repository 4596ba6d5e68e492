package obligation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/evidence"
)

// AuditReader reads the audit log for evidence packs; the store is one.
type AuditReader interface {
	SearchAudit(ctx context.Context, f audit.Filter) ([]audit.Event, error)
	AuditHead(ctx context.Context, stream audit.Stream) (audit.Head, error)
}

// evidenceConfig is what signing evidence packs needs.
type evidenceConfig struct {
	signers  []evidence.Signer
	audit    AuditReader
	instance string
}

// WithEvidence makes the service sign evidence packs with signers (an
// Ed25519 signer, then any co-signer such as SM2; see evidence.Sign),
// reading the case's history from ar; instance names the instance in the
// packs.
func (s *Service) WithEvidence(signers []evidence.Signer, ar AuditReader, instance string) *Service {
	s.evidence = &evidenceConfig{signers: signers, audit: ar, instance: instance}
	return s
}

// EvidencePack builds case id's evidence pack (CN-12-1) — every duty with
// its state and evidence, the submissions with their snapshot hashes, the
// sharing decisions and refusals, the case's audited history and the audit
// chain's head — and signs it. It holds no undisclosed technical detail
// (no summary, no snapshot content). Auditors (access.ReadAudit) may export
// the pack of any case of their organisation; others need sight of the
// case and access.ManageObligations. Audited (case.evidence_export).
func (s *Service) EvidencePack(ctx context.Context, p *access.Principal, id int64) ([]byte, evidence.Pack, error) {
	if s.evidence == nil {
		return nil, evidence.Pack{}, errors.New("obligation: evidence packs are not configured (WithEvidence)")
	}
	if !p.Can(access.ReadAudit) && !p.Can(access.ManageObligations) {
		return nil, evidence.Pack{}, p.Require(access.ReadAudit)
	}
	var pack evidence.Pack
	var c casework.Case
	err := s.transact(ctx, func(tx Tx) error {
		var err error
		if c, err = s.packCase(ctx, tx, p, id); err != nil {
			return err
		}
		if pack, err = s.buildPack(ctx, tx, c); err != nil {
			return err
		}
		return auditObl(access.WithPrincipal(ctx, p), tx, "case.evidence_export", c, Obligation{},
			map[string]any{"duties": len(pack.Duties), "audit_head": pack.AuditHead.Seq})
	})
	if err != nil {
		return nil, pack, err
	}
	if err := s.addHistory(ctx, &pack, c); err != nil {
		return nil, pack, err
	}
	env, err := evidence.Sign(pack, s.evidence.signers...)
	return env, pack, err
}

// packCase reads the case an evidence pack is about, when p may export it.
func (s *Service) packCase(ctx context.Context, tx Tx, p *access.Principal, id int64) (casework.Case, error) {
	if !p.Can(access.ReadAudit) {
		return s.cases.Visible(ctx, tx, p, id)
	}
	c, _, err := tx.CaseByID(ctx, id)
	if err != nil || c.OrgID != p.OrgID {
		return casework.Case{}, errs.Coded(errs.NotFound, "case.not_found", "no such case")
	}
	return c, s.cases.Gate(ctx, tx, p, c)
}

func (s *Service) buildPack(ctx context.Context, tx Tx, c casework.Case) (evidence.Pack, error) {
	now := tx.Now()
	pk := evidence.New(now)
	pk.Instance = s.evidence.instance
	var err error
	if pk.Organisation, err = tx.OrganisationName(ctx, c.OrgID); err != nil {
		return pk, err
	}
	aliases, err := tx.CaseAliases(ctx, c.ID)
	if err != nil {
		return pk, err
	}
	pk.Case = evidence.Case{Ref: c.Ref, Title: c.Title, Kind: evidence.CaseKind(c.Kind), T0: c.T0, T0Source: c.T0Source,
		Status: string(c.Status), Grade: c.Grade, Aliases: append([]string{}, aliases...)}
	os, err := tx.CaseObligations(ctx, c.ID)
	if err != nil {
		return pk, err
	}
	pk.Duties = []evidence.Duty{}
	for _, o := range os {
		if o.Stored == StoredWithdr {
			continue // the timeline has its withdrawal
		}
		pk.Duties = append(pk.Duties, s.packDuty(o, now))
	}
	subs, err := tx.Submissions(ctx, c.ID)
	if err != nil {
		return pk, err
	}
	pk.Submissions = []evidence.Submission{}
	for _, sub := range subs {
		pk.Submissions = append(pk.Submissions, evidence.Submission{Document: fmt.Sprintf("%s v%d", sub.Duty, sub.Version),
			Destination: sub.Recipient + " (" + sub.Country + ")", SnapshotSHA256: sub.SHA256, SubmittedAt: sub.SubmittedAt,
			By: sub.SubmittedBy, Channel: sub.Channel, PlatformRef: sub.Reference})
	}
	ds, err := tx.SharingDecisions(ctx, c.ID)
	if err != nil {
		return pk, err
	}
	pk.SharingDecisions = []evidence.SharingDecision{}
	for _, d := range ds {
		pk.SharingDecisions = append(pk.SharingDecisions, evidence.SharingDecision{Recipient: d.Recipient, Country: d.Country,
			Decision: evidence.Allowed, LegalRef: fmt.Sprintf("decision %d: %s", d.ID, d.Basis), DecidedBy: d.DecidedBy, DecidedAt: d.DecidedAt})
	}
	return pk, nil
}

func (s *Service) packDuty(o Obligation, now time.Time) evidence.Duty {
	_, r, _ := Find(s.packs, o.Regime, o.Duty)
	d := evidence.Duty{Regime: string(o.Regime), Code: o.Duty, Requirement: o.Requirement, Title: r.TitleZH + " / " + r.TitleEN,
		DueAt: o.DueAt, State: evidence.State(o.StateAt(now)), Evidence: []evidence.Item{}}
	switch o.Stored {
	case StoredMet:
		d.MetAt = o.ClosedAt
	case StoredNA:
		d.NotApplicableReason, d.NotApplicableApprover = o.Reason, o.ClosedBy
	}
	kinds := map[EvidenceKind]evidence.ItemKind{ByTransition: evidence.KindTransition, BySubmission: evidence.KindSubmission,
		ByNotice: evidence.KindNotice, ByAdvisory: evidence.KindAdvisory}
	for _, e := range o.Evidence {
		sum := e.SHA256
		if sum == "" { // a transition: fingerprint the record itself
			b, _ := json.Marshal([]string{string(e.Kind), e.Ref, e.At.UTC().Format(time.RFC3339Nano), e.Note})
			h := sha256.Sum256(b)
			sum = hex.EncodeToString(h[:])
		}
		d.Evidence = append(d.Evidence, evidence.Item{Kind: kinds[e.Kind], Reference: e.Ref, At: e.At, SHA256: sum, Description: e.Note})
	}
	return d
}

// addHistory adds the case's audited history, the sharing gate's
// refusals and the audit chain's head, read after the export's own event
// was committed so that the head covers it.
func (s *Service) addHistory(ctx context.Context, pk *evidence.Pack, c casework.Case) error {
	evs, err := s.evidence.audit.SearchAudit(ctx, audit.Filter{Stream: audit.Main, OrgID: c.OrgID, Subject: "case:" + c.Ref, Limit: 10000})
	if err != nil {
		return err
	}
	slices.SortFunc(evs, func(a, b audit.Event) int { return int(a.Seq - b.Seq) })
	pk.Timeline = []evidence.Event{}
	for _, e := range evs {
		pk.Timeline = append(pk.Timeline, evidence.Event{At: e.At, Actor: e.Actor, Action: e.Action, Detail: e.Details})
		if e.Action == "sharing.blocked" {
			var d struct{ Recipient, Country string }
			if json.Unmarshal([]byte(e.Details), &d) == nil {
				pk.SharingDecisions = append(pk.SharingDecisions, evidence.SharingDecision{Recipient: d.Recipient,
					Country: d.Country, Decision: evidence.Blocked, DecidedBy: "gate", DecidedAt: e.At})
			}
		}
	}
	h, err := s.evidence.audit.AuditHead(ctx, audit.Main)
	if err != nil {
		return err
	}
	pk.AuditHead = evidence.ChainHead{Seq: h.Last.Seq, Hash: h.Last.Hash}
	return nil
}
