package obligation

import (
	"context"
	"fmt"
	"slices"

	"github.com/embargohq/embargo/internal/casework"
)

// UserNoticeDuty is the affected-user duty (CN-07-9) that a delivered
// notice campaign meets.
const UserNoticeDuty = "cn.user_notice"

// CRAUserNoticeDuty is the CRA's duty to inform the impacted users of an
// actively exploited vulnerability, machine-readably where appropriate
// (EU-14-6, CRA Art. 14(8)). Unlike cn.user_notice, one record does not
// meet it: it needs both a delivered notice campaign (the users told) and
// a published advisory, which is the case's CSAF 2.0 document (the
// machine-readable form). Each is recorded on the duty as evidence when it
// happens (NoticeDelivered, AdvisoryPublished); whichever comes second
// meets the duty, with both in its evidence.
//
// Only what happens while the duty is open counts: a campaign or advisory
// from before the exploitation was known did not tell the users of it, so
// an update (a new campaign, a new advisory revision) is needed.
const CRAUserNoticeDuty = "eu.user_notice"

// MeetByNotice meets case caseID's open duty in tx, with e (a delivered
// notice campaign, internal/notice) as its evidence, and reports whether
// it did: a duty that is not open (not raised, met already, withdrawn) is
// left as it is. Audited (obligation.met).
func (s *Service) MeetByNotice(ctx context.Context, tx Tx, caseID int64, duty string, e Evidence) (bool, error) {
	o, ok, err := openDuty(ctx, tx, caseID, duty)
	if err != nil || !ok {
		return false, err
	}
	c, _, err := tx.CaseByID(ctx, caseID)
	if err != nil {
		return false, err
	}
	e.Kind = ByNotice
	return true, s.meet(ctx, tx, c, o, "system", e)
}

// NoticeDelivered is what a delivered notice campaign of case caseID
// (internal/notice) does to its duties, in the transaction that settles
// it: e (the campaign) meets the affected-user duty (cn.user_notice,
// CN-07-9) and counts toward the CRA's (eu.user_notice, EU-14-6), which it
// meets when the case's advisory is published already.
func (s *Service) NoticeDelivered(ctx context.Context, tx Tx, caseID int64, e Evidence) error {
	if _, err := s.MeetByNotice(ctx, tx, caseID, UserNoticeDuty, e); err != nil {
		return err
	}
	e.Kind = ByNotice
	return s.towardCRANotice(ctx, tx, caseID, e)
}

// AdvisoryPublished is what the publication of a revision of case
// caseID's advisory (internal/advisory) does to its duties, in the
// transaction that publishes it, which must hold obligations (as the
// casework change hook's does): e (the advisory revision, whose CSAF
// document the case now has) meets the affected-user duty
// (cn.user_notice, CN-07-9: the pack lets a public advisory meet it) and
// counts toward the CRA's user-notice duty (eu.user_notice, EU-14-6),
// which it meets when a notice campaign of the case was delivered
// already. The caller passes public (TLP:WHITE) revisions only.
func (s *Service) AdvisoryPublished(ctx context.Context, cwtx casework.Tx, caseID int64, e Evidence) error {
	tx, ok := cwtx.(Tx)
	if !ok {
		return fmt.Errorf("obligation: the advisory transaction %T does not hold obligations", cwtx)
	}
	e.Kind = ByAdvisory
	if o, ok, err := openDuty(ctx, tx, caseID, UserNoticeDuty); err != nil {
		return err
	} else if ok {
		c, _, err := tx.CaseByID(ctx, caseID)
		if err != nil {
			return err
		}
		if err := s.meet(ctx, tx, c, o, "system", e); err != nil {
			return err
		}
	}
	return s.towardCRANotice(ctx, tx, caseID, e)
}

// towardCRANotice records e on case caseID's open eu.user_notice duty
// and meets the duty once its evidence has both a notice and an advisory.
// A duty that is not open is left as it is, and evidence already recorded
// (the same reference) is not recorded twice, so a repeated call changes
// nothing. Audited: obligation.evidence while the other half is missing,
// obligation.met when it is not.
func (s *Service) towardCRANotice(ctx context.Context, tx Tx, caseID int64, e Evidence) error {
	o, ok, err := openDuty(ctx, tx, caseID, CRAUserNoticeDuty)
	if err != nil || !ok {
		return err
	}
	if slices.ContainsFunc(o.Evidence, func(x Evidence) bool { return x.Kind == e.Kind && x.Ref == e.Ref }) {
		return nil
	}
	c, _, err := tx.CaseByID(ctx, caseID)
	if err != nil {
		return err
	}
	missing := ByAdvisory
	if e.Kind == ByAdvisory {
		missing = ByNotice
	}
	if slices.ContainsFunc(o.Evidence, func(x Evidence) bool { return x.Kind == missing }) {
		return s.meet(ctx, tx, c, o, "system", e)
	}
	if err := tx.AddEvidence(ctx, o.ID, e); err != nil {
		return err
	}
	return auditObl(ctx, tx, "obligation.evidence", c, o, map[string]any{"evidence": e.Ref, "sha256": e.SHA256,
		"waiting_for": missing})
}
