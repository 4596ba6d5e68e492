package exposure

// VEX (Vulnerability Exploitability eXchange): statements that a product
// is, or is not, affected by a vulnerability, and why (CN-08-2: a
// known-not-affected statement suppresses a match). One model serves the
// three formats Embargo reads and writes — CSAF csaf_vex, OpenVEX 0.2.0 and
// CycloneDX VEX; the conversions live in vex_*.go and the mapping between
// their vocabularies in vex_map.go.

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// VEXStatus is a statement's status, in the vocabulary CSAF and OpenVEX
// share: https://github.com/openvex/spec/blob/main/OPENVEX-SPEC.md#status-labels
type VEXStatus string

// The four statuses.
const (
	VEXNotAffected        VEXStatus = "not_affected"
	VEXAffected           VEXStatus = "affected"
	VEXFixed              VEXStatus = "fixed"
	VEXUnderInvestigation VEXStatus = "under_investigation"
)

// VEXJustification says why a product is not affected, in the five labels
// CSAF (§3.2.3.5 flags) and OpenVEX share.
type VEXJustification string

// The five justifications.
const (
	JustComponentNotPresent                         VEXJustification = "component_not_present"
	JustVulnerableCodeNotPresent                    VEXJustification = "vulnerable_code_not_present"
	JustVulnerableCodeCannotBeControlledByAdversary VEXJustification = "vulnerable_code_cannot_be_controlled_by_adversary"
	JustVulnerableCodeNotInExecutePath              VEXJustification = "vulnerable_code_not_in_execute_path"
	JustInlineMitigationsAlreadyExist               VEXJustification = "inline_mitigations_already_exist"
)

// VEXStatuses and VEXJustifications list the vocabularies, in order.
var (
	VEXStatuses       = []VEXStatus{VEXNotAffected, VEXAffected, VEXFixed, VEXUnderInvestigation}
	VEXJustifications = []VEXJustification{JustComponentNotPresent, JustVulnerableCodeNotPresent,
		JustVulnerableCodeCannotBeControlledByAdversary, JustVulnerableCodeNotInExecutePath, JustInlineMitigationsAlreadyExist}
)

// VEXStatement is one statement: what Author says, at Timestamp, about
// one vulnerability in one product.
type VEXStatement struct {
	Vulnerability VEXVulnerability
	Product       VEXProduct
	Status        VEXStatus
	// Justification is set only for not_affected, and may be empty when
	// ImpactStatement says why instead.
	Justification VEXJustification
	// ImpactStatement explains, in prose, why the product is not affected
	// (CSAF threats of category impact, CycloneDX analysis.detail).
	ImpactStatement string
	// ActionStatement says what to do about an affected product (CSAF
	// remediations, CycloneDX recommendation); required for affected.
	ActionStatement string
	Timestamp       time.Time
	Author          string
	// Native holds what one format says and the shared vocabulary cannot
	// (see vex_map.go); it is carried through the other formats so that a
	// round trip gives the statement back unchanged.
	Native VEXNative
}

// VEXVulnerability names the vulnerability of a statement.
type VEXVulnerability struct {
	// ID is its primary identifier (CVE-…, GHSA-…); Aliases the others.
	ID      string
	Aliases []string
}

// VEXProduct is what a statement is about: a package URL, or, for
// products that have none, a name and version.
type VEXProduct struct {
	// Purl is the package URL; without a version it speaks of every
	// version of the package.
	Purl string
	// Name and Version name a product without a purl; Name may also
	// accompany a purl as its display name.
	Name    string
	Version string
	// Subcomponents are the purls of the product's components the
	// statement is about (OpenVEX subcomponents): when set, they are what
	// a match's component is compared with.
	Subcomponents []string
}

// VEXNative holds the values of one format that have no exact
// counterpart in the shared vocabulary. Empty fields mean "what the
// mapping table gives"; vex_map.go documents the table.
type VEXNative struct {
	// CSAFStatus is the CSAF product status when it is finer than Status:
	// first_affected, last_affected, first_fixed or recommended.
	CSAFStatus string
	// CSAFRemediation is the CSAF remediation category of the action
	// statement when it is not none_available (vendor_fix, workaround,
	// mitigation, no_fix_planned).
	CSAFRemediation string
	// CycloneDXState and CycloneDXJustification are the CycloneDX
	// analysis state and justification when they differ from what
	// Status and Justification map to.
	CycloneDXState         string
	CycloneDXJustification string
	// CycloneDXResponses are the CycloneDX analysis responses (update,
	// will_not_fix, …).
	CycloneDXResponses []string
}

// IsZero reports whether n carries nothing.
func (n VEXNative) IsZero() bool {
	return n.CSAFStatus == "" && n.CSAFRemediation == "" && n.CycloneDXState == "" &&
		n.CycloneDXJustification == "" && len(n.CycloneDXResponses) == 0
}

// Validate checks the rules all three formats share: a vulnerability ID,
// a product, a known status and justification, a justification or an
// impact statement for not_affected (OpenVEX §status; CSAF 6.1.27.9) and
// an action statement for affected (CSAF 6.1.27.10). Errors name the
// statement and the field.
func (s VEXStatement) Validate() error {
	var errs []error
	if strings.TrimSpace(s.Vulnerability.ID) == "" {
		errs = append(errs, errors.New("vulnerability ID is missing"))
	}
	if s.Product.Purl == "" && s.Product.Name == "" {
		errs = append(errs, errors.New("product has neither a purl nor a name"))
	}
	if !slices.Contains(VEXStatuses, s.Status) {
		errs = append(errs, fmt.Errorf("unknown status %q", s.Status))
	}
	if s.Justification != "" && !slices.Contains(VEXJustifications, s.Justification) {
		errs = append(errs, fmt.Errorf("unknown justification %q", s.Justification))
	}
	if s.Justification != "" && s.Status != VEXNotAffected {
		errs = append(errs, fmt.Errorf("justification %q on a %s statement", s.Justification, s.Status))
	}
	if s.Status == VEXNotAffected && s.Justification == "" && s.ImpactStatement == "" {
		errs = append(errs, errors.New("not_affected needs a justification or an impact statement"))
	}
	if s.Status == VEXAffected && s.ActionStatement == "" {
		errs = append(errs, errors.New("affected needs an action statement"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("VEX statement on %s for %s: %w", s.Vulnerability.ID, s.Product.label(), err)
	}
	return nil
}

// label names the product in messages.
func (p VEXProduct) label() string {
	if p.Purl != "" {
		return p.Purl
	}
	return strings.TrimSpace(p.Name + " " + p.Version)
}
