// Package evidence is the signed evidence pack of RMSV CN-12-1: for one
// case, the timeline of every legal duty with the evidence that it was met,
// what was submitted where, the sharing decisions, the case's timeline and
// the audit chain's head, plus the table that maps the requirements to the
// articles of the Cybersecurity Law in force.
//
// A pack is JSON (Pack, written by Marshal) inside a signed envelope
// (Envelope, written by Sign): the signature is Ed25519 over a DSSE-style
// pre-authentication encoding of the exact payload bytes (PAE), so a
// payload cannot be passed off as another type of document. Verify checks
// an envelope's signatures, the signer's trust and the pack's consistency;
// RenderHTML writes the readable, printable bilingual page. The instance
// signs with a key derived from its instance key (SignerFromInstanceKey),
// so there is no key file of its own to keep.
//
// The package knows nothing of the database: the obligations engine fills
// a Pack, and anyone holding the file and the instance's published public
// key can check it, offline. docs/evidence.md describes the format.
package evidence

import (
	"bytes"
	"encoding/json"
	"time"
)

// Format is the value of Pack.Format for this layout. A later,
// incompatible layout gets a new value, and Verify refuses formats it does
// not know.
const Format = "embargo-evidence/1"

// Pack is the content of an evidence pack: everything a regulator or
// auditor needs to see that the duties of one case were met, and when.
// Every time in a pack is UTC.
type Pack struct {
	// Format identifies the layout: always Format.
	Format string `json:"format"`
	// GeneratedAt is when the pack was made.
	GeneratedAt time.Time `json:"generated_at"`
	// Instance names the Embargo instance that made the pack.
	Instance string `json:"instance"`
	// Organisation is the name of the organisation the case belongs to.
	Organisation string `json:"organisation"`
	// Case is the case the pack is about.
	Case Case `json:"case"`
	// Duties are the case's legal duties, each with its evidence.
	Duties []Duty `json:"duties"`
	// Submissions are the reports sent to authorities and platforms.
	Submissions []Submission `json:"submissions"`
	// SharingDecisions record who vulnerability information could go to
	// (RMSV Art. 9(7), CN-09-7).
	SharingDecisions []SharingDecision `json:"sharing_decisions"`
	// Timeline is the case's history, oldest first.
	Timeline []Event `json:"timeline"`
	// AuditHead is the head of the instance's audit chain when the pack
	// was made; `embargo verify audit` prints the same pair, so the pack
	// can be tied to the tamper-evident log.
	AuditHead ChainHead `json:"audit_head"`
	// LegalMapping maps the requirements to the articles of the
	// regulation and of the Cybersecurity Law, as reviewed on a date.
	LegalMapping LegalMapping `json:"legal_mapping"`
}

// CaseKind says whose case it is: a provider's (RMSV Art. 7) or an
// operator's (Art. 8).
type CaseKind string

// The case kinds.
const (
	Provider CaseKind = "provider"
	Operator CaseKind = "operator"
)

// Case identifies the case and its state when the pack was made.
type Case struct {
	// Ref is the case's reference, such as EMB-2026-0001.
	Ref   string   `json:"ref"`
	Title string   `json:"title"`
	Kind  CaseKind `json:"kind"`
	// T0 starts the clocks of the duties: the earliest of internal
	// discovery, receipt of a report, or awareness from a third party
	// (CN-07-1). T0Source says which ("internal", "report:R-…", …).
	T0       time.Time `json:"t0"`
	T0Source string    `json:"t0_source"`
	// Status is the case's lifecycle status (GB/T 30276), such as
	// "confirmed" or "fixed".
	Status string `json:"status"`
	// Grade is the GB/T 30279 grade (critical, high, medium, low), empty
	// while ungraded.
	Grade string `json:"grade,omitempty"`
	// Aliases are the case's other identifiers (CVE, CNVD, CNNVD, …).
	Aliases []string `json:"aliases"`
}

// State is where a duty stands.
type State string

// The duty states. Pending, DueSoon and Overdue are open; Met and
// NotApplicable are settled.
const (
	Pending       State = "pending"
	DueSoon       State = "due_soon"
	Overdue       State = "overdue"
	Met           State = "met"
	NotApplicable State = "not_applicable"
)

// Duty is one legal duty of the case and the evidence that it was met.
type Duty struct {
	// Regime is the body of law: "CN-RMSV", "EU-CRA", …
	Regime string `json:"regime"`
	// Code names the duty within Embargo, such as "cn.nvdb_report".
	Code string `json:"code"`
	// Requirement is the requirement's ID in REQUIREMENTS.md, such as
	// "CN-07-5"; LegalMapping maps it to articles.
	Requirement string `json:"requirement"`
	// Title says what the duty is, for people.
	Title string `json:"title,omitempty"`
	// DueAt is the deadline; zero for a duty without one.
	DueAt time.Time `json:"due_at,omitzero"`
	State State     `json:"state"`
	// MetAt is when the duty was met; set exactly when State is Met.
	MetAt time.Time `json:"met_at,omitzero"`
	// NotApplicableReason and NotApplicableApprover say why a duty does
	// not apply and who approved that; set exactly when State is
	// NotApplicable.
	NotApplicableReason   string `json:"not_applicable_reason,omitempty"`
	NotApplicableApprover string `json:"not_applicable_approver,omitempty"`
	// Evidence shows that the duty was met: at least one item when Met.
	Evidence []Item `json:"evidence"`
}

// ItemKind is what kind of record an evidence item points to.
type ItemKind string

// The evidence item kinds.
const (
	// KindSubmission is a report sent to an authority or platform.
	KindSubmission ItemKind = "submission"
	// KindNotice is a notification sent to users, downstream vendors or
	// an upstream provider.
	KindNotice ItemKind = "notice"
	// KindAdvisory is a published security advisory.
	KindAdvisory ItemKind = "advisory"
	// KindTransition is a change of the case's status.
	KindTransition ItemKind = "transition"
	// KindDecision is a recorded decision, such as a legal approval.
	KindDecision ItemKind = "decision"
	// KindFile is an attached file.
	KindFile ItemKind = "file"
)

// Item is one piece of evidence: a pointer to a record, with the SHA-256
// of the record or of its immutable snapshot, so that anyone holding the
// record can show it is the one the pack means.
type Item struct {
	Kind ItemKind `json:"kind"`
	// Reference names the record: a submission's platform number, an
	// advisory ID, an audit event's sequence number, a file name.
	Reference string    `json:"reference"`
	At        time.Time `json:"at"`
	// SHA256 is the lowercase hex SHA-256 of the record or its snapshot.
	SHA256      string `json:"sha256"`
	Description string `json:"description"`
}

// Submission is one report sent to an authority or platform, such as the
// NVDB report of RMSV Art. 7(2), with the hash of the immutable snapshot
// of what was sent (CN-07-7).
type Submission struct {
	// Document says what was sent ("NVDB report, version 2").
	Document string `json:"document"`
	// Destination says where it went (工业和信息化部网络安全威胁和漏洞信息共享平台).
	Destination string `json:"destination"`
	// SnapshotSHA256 is the lowercase hex SHA-256 of the snapshot.
	SnapshotSHA256 string    `json:"snapshot_sha256"`
	SubmittedAt    time.Time `json:"submitted_at"`
	// By is who submitted it.
	By string `json:"by"`
	// Channel is how it was sent: "web form", "api", "e-mail".
	Channel string `json:"channel"`
	// PlatformRef is the reference number the platform gave back, empty
	// when it gave none.
	PlatformRef string `json:"platform_ref,omitempty"`
}

// Decision is the outcome of a sharing decision.
type Decision string

// The sharing decisions.
const (
	Allowed Decision = "allowed"
	Blocked Decision = "blocked"
)

// SharingDecision records whether vulnerability information could go to a
// recipient: the gate of RMSV Art. 9(7) on undisclosed information leaving
// the country (CN-09-7).
type SharingDecision struct {
	Recipient string `json:"recipient"`
	// Country is the recipient's ISO 3166-1 alpha-2 code, such as "CN".
	Country  string   `json:"country"`
	Decision Decision `json:"decision"`
	// LegalRef names the recorded legal decision behind it, if any.
	LegalRef  string    `json:"legal_decision_ref,omitempty"`
	DecidedBy string    `json:"decided_by"`
	DecidedAt time.Time `json:"decided_at"`
}

// Event is one entry of the case's timeline.
type Event struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Detail string    `json:"detail,omitempty"`
}

// ChainHead is a position in the audit hash chain: the last event's
// sequence number and its hash in lowercase hex.
type ChainHead struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// New returns a pack of Format generated at now (in UTC, to the second),
// carrying the shipped legal mapping table; the caller fills the rest.
func New(now time.Time) Pack {
	return Pack{Format: Format, GeneratedAt: now.UTC().Truncate(time.Second), LegalMapping: DefaultLegalMapping()}
}

// Marshal returns p's canonical JSON: indented, with every time in UTC,
// absent lists as [] and HTML characters unescaped. These are the bytes
// that get signed, and Verify accepts only payloads in this form.
func Marshal(p Pack) ([]byte, error) {
	p = p.normalized()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// normalized returns a copy of p with times in UTC and nil lists empty,
// so that a pack and its decoded self marshal alike. p is not changed.
func (p Pack) normalized() Pack {
	p.GeneratedAt = p.GeneratedAt.UTC()
	p.Case.T0 = p.Case.T0.UTC()
	p.Case.Aliases = orEmpty(p.Case.Aliases)
	p.Duties = orEmpty(p.Duties)
	for i := range p.Duties {
		d := &p.Duties[i]
		d.DueAt, d.MetAt = d.DueAt.UTC(), d.MetAt.UTC()
		d.Evidence = orEmpty(d.Evidence)
		for j := range d.Evidence {
			d.Evidence[j].At = d.Evidence[j].At.UTC()
		}
	}
	p.Submissions = orEmpty(p.Submissions)
	for i := range p.Submissions {
		p.Submissions[i].SubmittedAt = p.Submissions[i].SubmittedAt.UTC()
	}
	p.SharingDecisions = orEmpty(p.SharingDecisions)
	for i := range p.SharingDecisions {
		p.SharingDecisions[i].DecidedAt = p.SharingDecisions[i].DecidedAt.UTC()
	}
	p.Timeline = orEmpty(p.Timeline)
	for i := range p.Timeline {
		p.Timeline[i].At = p.Timeline[i].At.UTC()
	}
	p.LegalMapping.Rows = orEmpty(p.LegalMapping.Rows)
	return p
}

// orEmpty returns a copy of s, or an empty slice for nil: the copy keeps
// normalized from writing into the caller's arrays.
func orEmpty[T any](s []T) []T {
	return append(make([]T, 0, len(s)), s...)
}
