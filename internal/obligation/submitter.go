package obligation

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// checkSubmitter checks a configured submitter for duty.
func (s *Service) checkSubmitter(duty string, sub Submitter) error {
	if err := s.submittable(duty); err != nil {
		return err
	}
	switch sub.Channel {
	case Mail:
		if a, err := mail.ParseAddress(sub.Target); err != nil || a.Address != sub.Target {
			return errs.Coded(errs.Invalid, "obligation.submitter", "%s: give a plain e-mail address or an https URL", duty)
		}
	case HTTP:
		if u, err := url.Parse(sub.Target); err != nil || u.Scheme != "https" || u.Host == "" {
			return errs.Coded(errs.Invalid, "obligation.submitter", "%s: give a plain e-mail address or an https URL", duty)
		}
	default:
		return errs.Coded(errs.Invalid, "obligation.submitter", "%s: give a plain e-mail address or an https URL", duty)
	}
	return nil
}

// send queues submission sub of draft d through the duty's submitter, in
// tx, and returns the outbox message's ID; the duty is met when the
// outbox records the delivery (Sweep). E-mail carries the report as text
// and its snapshot as JSON; HTTP posts the snapshot, signed
// (X-Embargo-Signature, docs/notifications.md) with the organisation's
// submitter secret.
func (s *Service) send(ctx context.Context, tx Tx, c casework.Case, d Draft, sub *Submission) (int64, error) {
	st, err := tx.ObligationSettings(ctx, c.OrgID)
	if err != nil {
		return 0, err
	}
	to, ok := st.Submitters[sub.Duty]
	if !ok || to.Channel != sub.Channel || s.notes == nil || (to.Channel == Mail && !s.notes.Email) ||
		(to.Channel == HTTP && s.submitterSecret == nil) {
		return 0, errs.Coded(errs.Conflict, "obligation.no_submitter",
			"no %s submitter is set up for %s: record it as submitted by hand, or set one up in the obligation settings", sub.Channel, sub.Duty)
	}
	key := fmt.Sprintf("case:%s:submission:%s:%d", c.Ref, sub.Duty, sub.Version)
	subject := fmt.Sprintf("[%s] %s v%d", c.Ref, sub.Duty, sub.Version)
	m := notify.Message{OrgID: c.OrgID, DedupKey: key, Target: to.Target, Subject: subject, Event: "obligation.submission"}
	if to.Channel == Mail {
		var b strings.Builder
		fmt.Fprintf(&b, "%s\n\n", subject)
		for _, f := range d.Fields {
			if f.Value != "" {
				fmt.Fprintf(&b, "%s / %s:\n%s\n\n", f.LabelZH, f.LabelEN, f.Value)
			}
		}
		fmt.Fprintf(&b, "---\n%s\n", sub.Snapshot)
		m.Kind, m.Text = notify.Email, b.String()
	} else {
		m.Kind, m.Data, m.Secret = notify.Webhook, sub.Snapshot, s.submitterSecret(c.OrgID)
	}
	return s.notes.Notifier.EnqueueTx(ctx, tx, m)
}

// WithSubmitterSecret makes HTTP submitters sign with secret(org), a
// secret the receiving platform is given (embargo key submitter-secret).
func (s *Service) WithSubmitterSecret(secret func(org int64) string) *Service {
	s.submitterSecret = secret
	return s
}

// SecretDeriver derives labelled secrets from the instance key.
type SecretDeriver interface {
	DeriveSecret(label string) [32]byte
}

// SubmitterSecret is organisation org's secret for signing HTTP
// submissions, derived from the instance key: the server signs with it and
// `embargo key submitter-secret --org N` prints it for the receiving
// platform. It changes when the instance key is rotated.
func SubmitterSecret(k SecretDeriver, org int64) string {
	b := k.DeriveSecret(fmt.Sprintf("embargo submitter webhook v1 org %d", org))
	return fmt.Sprintf("%x", b[:])
}
