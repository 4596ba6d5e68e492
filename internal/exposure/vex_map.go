package exposure

// The mapping between the VEX vocabularies. CSAF and OpenVEX share
// the four statuses and the five justifications, so they map 1:1 (CSAF's
// finer product statuses are kept in VEXNative.CSAFStatus). CycloneDX's six
// analysis states and nine justifications do not: the tables below give
// each CycloneDX value its nearest shared value and each shared value one
// CycloneDX value. Where the way back would not give the original (two
// CycloneDX justifications become one shared label, or a shared label's
// CycloneDX value maps back to another), the original travels beside the
// mapped value: in VEXNative when read from CycloneDX, and as an
// "embargo:vex:*" property when written to CycloneDX. docs/exposure.md
// shows the same tables.

// cdxStateOf is the CycloneDX analysis state of each status.
var cdxStateOf = map[VEXStatus]string{
	VEXNotAffected:        "not_affected",
	VEXAffected:           "exploitable",
	VEXFixed:              "resolved",
	VEXUnderInvestigation: "in_triage",
}

// statusOfCDX is the status of each CycloneDX analysis state.
var statusOfCDX = map[string]VEXStatus{
	"not_affected":           VEXNotAffected,
	"false_positive":         VEXNotAffected,
	"exploitable":            VEXAffected,
	"resolved":               VEXFixed,
	"resolved_with_pedigree": VEXFixed,
	"in_triage":              VEXUnderInvestigation,
}

// cdxJustificationOf is the CycloneDX justification of each shared one.
var cdxJustificationOf = map[VEXJustification]string{
	JustComponentNotPresent:                         "requires_dependency",
	JustVulnerableCodeNotPresent:                    "code_not_present",
	JustVulnerableCodeCannotBeControlledByAdversary: "requires_environment",
	JustVulnerableCodeNotInExecutePath:              "code_not_reachable",
	JustInlineMitigationsAlreadyExist:               "protected_by_mitigating_control",
}

// justificationOfCDX is the shared justification of each CycloneDX one.
var justificationOfCDX = map[string]VEXJustification{
	"code_not_present":                JustVulnerableCodeNotPresent,
	"code_not_reachable":              JustVulnerableCodeNotInExecutePath,
	"requires_configuration":          JustVulnerableCodeCannotBeControlledByAdversary,
	"requires_dependency":             JustComponentNotPresent,
	"requires_environment":            JustVulnerableCodeCannotBeControlledByAdversary,
	"protected_by_compiler":           JustInlineMitigationsAlreadyExist,
	"protected_at_runtime":            JustInlineMitigationsAlreadyExist,
	"protected_at_perimeter":          JustVulnerableCodeCannotBeControlledByAdversary,
	"protected_by_mitigating_control": JustInlineMitigationsAlreadyExist,
}

// statusOfCSAF is the status of each CSAF product status.
var statusOfCSAF = map[string]VEXStatus{
	"known_not_affected":  VEXNotAffected,
	"known_affected":      VEXAffected,
	"first_affected":      VEXAffected,
	"last_affected":       VEXAffected,
	"fixed":               VEXFixed,
	"first_fixed":         VEXFixed,
	"recommended":         VEXFixed,
	"under_investigation": VEXUnderInvestigation,
}

// csafStatusOf is the CSAF product status of each status.
var csafStatusOf = map[VEXStatus]string{
	VEXNotAffected:        "known_not_affected",
	VEXAffected:           "known_affected",
	VEXFixed:              "fixed",
	VEXUnderInvestigation: "under_investigation",
}

// CycloneDXAnalysis returns the CycloneDX analysis state and
// justification of a statement: the native values it carries, else the
// table's.
func (s VEXStatement) CycloneDXAnalysis() (state, justification string) {
	state, justification = cdxStateOf[s.Status], cdxJustificationOf[s.Justification]
	if s.Native.CycloneDXState != "" {
		state = s.Native.CycloneDXState
	}
	if s.Native.CycloneDXJustification != "" {
		justification = s.Native.CycloneDXJustification
	}
	return state, justification
}

// FromCycloneDXAnalysis sets the statement's status and justification
// from a CycloneDX state and justification, keeping in Native what the
// table would not give back. status and just, when not empty, are the
// shared values the CycloneDX document carried beside its own (the
// embargo:vex:* properties); they win over the table. It returns false
// for an unknown state or justification.
func (s *VEXStatement) FromCycloneDXAnalysis(state, justification string, status VEXStatus, just VEXJustification) bool {
	st, ok := statusOfCDX[state]
	if !ok {
		return false
	}
	j, ok := justificationOfCDX[justification]
	if !ok && justification != "" {
		return false
	}
	if status != "" {
		st = status
	}
	if just != "" {
		j = just
	}
	s.Status, s.Justification = st, j
	if s.Status != VEXNotAffected {
		s.Justification = ""
	}
	s.Native.CycloneDXState, s.Native.CycloneDXJustification = "", ""
	if cdxStateOf[s.Status] != state {
		s.Native.CycloneDXState = state
	}
	if cdxJustificationOf[s.Justification] != justification {
		s.Native.CycloneDXJustification = justification
	}
	return true
}

// cdxCarried returns the shared status and justification a CycloneDX
// document must carry beside state and justification for the way back to
// give s's: empty when the table gives them.
func (s VEXStatement) cdxCarried(state, justification string) (VEXStatus, VEXJustification) {
	var st VEXStatus
	var j VEXJustification
	if statusOfCDX[state] != s.Status {
		st = s.Status
	}
	if s.Status == VEXNotAffected && justificationOfCDX[justification] != s.Justification {
		j = s.Justification
	}
	return st, j
}
