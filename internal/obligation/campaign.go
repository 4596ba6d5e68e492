package obligation

import "context"

// UserNoticeDuty is the affected-user duty (CN-07-9) that a delivered
// notice campaign meets.
const UserNoticeDuty = "cn.user_notice"

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
