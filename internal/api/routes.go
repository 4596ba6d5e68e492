package api

import "github.com/embargohq/embargo/internal/route"

// routes registers every route of the API on t. It is the one list of what
// the API serves: each pattern here has an operation in openapi.json (with
// the server URL /api/v1 and the path after it), and TestRoutesMatchOpenAPI
// fails when the two disagree.
//
// There is no catch-all pattern: t answers unmatched requests itself with a
// problem+json 404, or 405 plus Allow, through serveError. A "/api/v1/"
// pattern would swallow the 405s.
func (h *Handler) routes(t *route.Table) {
	// Meta: the description of the API and the server's version. Public.
	t.Handle("GET /api/v1/openapi.json", h.serveOpenAPI)
	t.Handle("GET /api/v1/version", h.serveVersion)

	// The caller: who they are, and their own API tokens.
	t.Handle("GET /api/v1/me", h.serveMe)
	t.Handle("GET /api/v1/tokens", h.serveTokens)
	t.Handle("DELETE /api/v1/tokens/{id}", h.revokeToken)

	// Cases: need-to-know applies; a case the caller may not see is 404.
	t.Handle("GET /api/v1/cases", h.needCases(h.listCases))
	t.Handle("POST /api/v1/cases", h.needCases(h.createCase))
	t.Handle("GET /api/v1/cases/{id}", h.needCases(h.getCase))
	t.Handle("GET /api/v1/cases/{id}/history", h.needCases(h.caseHistory))
	t.Handle("GET /api/v1/cases/{id}/transitions", h.needCases(h.caseTimeline))
	t.Handle("POST /api/v1/cases/{id}/transitions", h.needCases(h.moveCase))
	t.Handle("PUT /api/v1/cases/{id}/assessment", h.needCases(h.assessCase))
	t.Handle("POST /api/v1/cases/{id}/t0", h.needCases(h.correctT0))
	t.Handle("POST /api/v1/cases/{id}/aliases", h.needCases(h.addAlias))
	t.Handle("POST /api/v1/cases/{id}/merge", h.needCases(h.mergeCase))
	t.Handle("GET /api/v1/cases/{id}/people", h.needCases(h.casePeople))
	t.Handle("POST /api/v1/cases/{id}/people", h.needCases(h.addCasePerson))
	t.Handle("DELETE /api/v1/cases/{id}/people/{user}", h.needCases(h.removeCasePerson))
	t.Handle("GET /api/v1/cases/{id}/files", h.needCases(h.caseFiles))
	t.Handle("POST /api/v1/cases/{id}/files", h.needCases(h.addCaseFile))
	t.Handle("GET /api/v1/cases/{id}/files/{file}", h.needCases(h.getCaseFile))
	t.Handle("GET /api/v1/cases/{id}/comments", h.needCases(h.caseComments))
	t.Handle("POST /api/v1/cases/{id}/comments", h.needCases(h.addCaseComment))
	// The facts that decide a case's legal duties: its duties follow them
	// in the same transaction.
	t.Handle("GET /api/v1/cases/{id}/facts", h.needCases(h.caseFacts))
	t.Handle("PATCH /api/v1/cases/{id}/facts", h.needCases(h.setCaseFacts))

	// Obligations: the legal clocks, the reports and notices that meet
	// them, and the legal decisions the sharing gate asks for. Need-to-know
	// applies as for cases; the engine checks each permission.
	t.Handle("GET /api/v1/obligations", h.needObligations(h.obligationBoard))
	t.Handle("POST /api/v1/obligations/{id}/not-applicable", h.needObligations(h.notApplicable))
	t.Handle("GET /api/v1/obligation-settings", h.needObligations(h.obligationSettings))
	t.Handle("PUT /api/v1/obligation-settings", h.needObligations(h.setObligationSettings))
	t.Handle("GET /api/v1/cases/{id}/obligations", h.needObligations(h.caseObligations))
	t.Handle("GET /api/v1/cases/{id}/packages/{duty}", h.needObligations(h.casePackage))
	t.Handle("PUT /api/v1/cases/{id}/packages/{duty}/fields", h.needObligations(h.setPackageFields))
	t.Handle("GET /api/v1/cases/{id}/evidence", h.needObligations(h.caseEvidence))
	t.Handle("GET /api/v1/obligations/dashboard", h.needObligations(h.dashboard))
	t.Handle("GET /api/v1/cases/{id}/submissions", h.needObligations(h.caseSubmissions))
	t.Handle("POST /api/v1/cases/{id}/submissions", h.needObligations(h.submitPackage))
	t.Handle("POST /api/v1/cases/{id}/upstream-notice", h.needObligations(h.sendUpstreamNotice))
	t.Handle("GET /api/v1/cases/{id}/sharing-decisions", h.needObligations(h.caseDecisions))
	t.Handle("POST /api/v1/cases/{id}/sharing-decisions", h.needObligations(h.recordDecision))

	// Remediation (CN-07-8) and notices to affected users (CN-07-9): read
	// like the case; remediation.write records fixes and sends campaigns.
	t.Handle("GET /api/v1/cases/{id}/remediation", h.needRemediation(h.caseRemediation))
	t.Handle("PUT /api/v1/cases/{id}/remediation", h.needRemediation(h.putRemediation))
	t.Handle("GET /api/v1/cases/{id}/campaigns", h.needRemediation(h.caseCampaigns))
	t.Handle("POST /api/v1/cases/{id}/campaigns", h.needRemediation(h.composeCampaign))
	t.Handle("GET /api/v1/cases/{id}/campaigns/{campaign}", h.needRemediation(h.getCampaign))
	t.Handle("GET /api/v1/cases/{id}/campaigns/{campaign}/preview", h.needRemediation(h.previewCampaign))
	t.Handle("POST /api/v1/cases/{id}/campaigns/{campaign}/send", h.needRemediation(h.sendCampaign))
	t.Handle("POST /api/v1/cases/{id}/campaigns/{campaign}/resend", h.needRemediation(h.resendCampaign))

	// The case's security advisory and the publication gate (RMSV Art. 9):
	// read like the case; advisory.write drafts and edits, advisory.publish
	// approves (never the advisory's own author), schedules, publishes and
	// withdraws; MPS's consent in a blackout is recorded with
	// sharing.approve, which also keeps the blackout calendar.
	t.Handle("GET /api/v1/cases/{id}/advisory", h.needAdvisories(h.getCaseAdvisory))
	t.Handle("GET /api/v1/cases/{id}/advisory/csaf", h.needAdvisories(h.caseAdvisoryExport("csaf")))
	t.Handle("GET /api/v1/cases/{id}/advisory/cve5", h.needAdvisories(h.caseAdvisoryExport("cve5")))
	t.Handle("GET /api/v1/cases/{id}/advisory/osv", h.needAdvisories(h.caseAdvisoryExport("osv")))
	t.Handle("GET /api/v1/cases/{id}/advisory/openvex", h.needAdvisories(h.caseAdvisoryExport("openvex")))
	t.Handle("POST /api/v1/cases/{id}/advisory", h.needAdvisories(h.createCaseAdvisory))
	t.Handle("PUT /api/v1/cases/{id}/advisory", h.needAdvisories(h.editCaseAdvisory))
	t.Handle("POST /api/v1/cases/{id}/advisory/submit", h.needAdvisories(h.submitCaseAdvisory))
	t.Handle("POST /api/v1/cases/{id}/advisory/approve", h.needAdvisories(h.approveCaseAdvisory))
	t.Handle("POST /api/v1/cases/{id}/advisory/schedule", h.needAdvisories(h.scheduleCaseAdvisory))
	t.Handle("POST /api/v1/cases/{id}/advisory/publish", h.needAdvisories(h.publishCaseAdvisory))
	t.Handle("POST /api/v1/cases/{id}/advisory/withdraw", h.needAdvisories(h.withdrawCaseAdvisory))
	t.Handle("PUT /api/v1/cases/{id}/advisory/early-publication", h.needAdvisories(h.setAdvisoryEarly))
	t.Handle("POST /api/v1/cases/{id}/advisory/not-operator", h.needAdvisories(h.markNotOperator))
	t.Handle("POST /api/v1/cases/{id}/advisory/mps-consent", h.needAdvisories(h.recordMPSConsent))
	t.Handle("GET /api/v1/blackouts", h.needAdvisories(h.listBlackouts))
	t.Handle("POST /api/v1/blackouts", h.needAdvisories(h.putBlackout))
	t.Handle("PUT /api/v1/blackouts/{id}", h.needAdvisories(h.putBlackout))
	t.Handle("DELETE /api/v1/blackouts/{id}", h.needAdvisories(h.deleteBlackout))

	// Reports: anyone may submit (rate-limited); triage staff of the
	// receiving organisation work the inbox, and every read is audited.
	t.Handle("POST /api/v1/reports", h.needReports(h.submitReport))
	t.Handle("GET /api/v1/reports", h.needReports(h.listReports))
	t.Handle("GET /api/v1/reports/{tracking}", h.needReports(h.getReport))
	t.Handle("GET /api/v1/reports/{tracking}/raw", h.needReports(h.getReportRaw))
	t.Handle("GET /api/v1/reports/{tracking}/attachments/{id}", h.needReports(h.getReportAttachment))
	t.Handle("GET /api/v1/reports/{tracking}/similar", h.needReports(h.similarReports))
	t.Handle("POST /api/v1/reports/{tracking}/triage", h.needReports(h.triageReport))
	t.Handle("POST /api/v1/reports/{tracking}/promote", h.needReports(h.promoteReport))
	t.Handle("POST /api/v1/reports/{tracking}/attach", h.needReports(h.attachReport))
	t.Handle("POST /api/v1/reports/{tracking}/messages", h.needReports(h.replyToReport))

	// The product catalogue: read with case.read or product.manage, changed
	// with product.manage.
	t.Handle("GET /api/v1/products", h.exportProducts)
	// Who runs what: customers and downstream vendors with their contacts
	// and the versions they run.
	t.Handle("GET /api/v1/customers", h.listCustomers)
	t.Handle("PUT /api/v1/customers", h.putCustomers)
	t.Handle("DELETE /api/v1/customers/{name}", h.deleteCustomer)
	t.Handle("POST /api/v1/products/import", h.importProducts)
	t.Handle("DELETE /api/v1/products/{id}", h.deleteProduct)
	t.Handle("GET /api/v1/products/{id}/versions", h.selectVersions)
	t.Handle("GET /api/v1/products/{id}/subscriptions", h.needRemediation(h.productSubscriptions))

	// The exposure engine: feed records imported by instance or
	// organisation administrators; matches and assets read with case.read
	// or product.manage (the caller's organisation only), assets imported
	// with product.manage.
	t.Handle("POST /api/v1/advisories", h.needExposure(h.importAdvisories))
	t.Handle("GET /api/v1/advisories/{id}/matches", h.needExposure(h.advisoryMatches))
	t.Handle("GET /api/v1/products/{id}/versions/{vid}/matches", h.needExposure(h.versionMatches))
	t.Handle("GET /api/v1/assets", h.needExposure(h.listAssets))
	t.Handle("POST /api/v1/assets", h.needExposure(h.importAssets))
	// VEX statements: the organisation's own, imported with product.manage
	// and read with case.read or product.manage; a not_affected statement
	// suppresses the matches it names.
	t.Handle("POST /api/v1/vex", h.needExposure(h.importVEX))
	t.Handle("GET /api/v1/vex", h.needExposure(h.exportVEX))

	// The audit log, for audit.read holders (their organisation's events).
	t.Handle("GET /api/v1/audit", h.listAudit)
	t.Handle("GET /api/v1/access-review", h.accessReview)
	t.Handle("GET /api/v1/access-reviews", h.listRecordedReviews)
	t.Handle("GET /api/v1/access-reviews/{id}", h.getRecordedReview)
	t.Handle("POST /api/v1/access-reviews/{id}/sign", h.signRecordedReview)

	// Outbound messages and their delivery, for org.manage holders.
	t.Handle("GET /api/v1/outbox", h.listOutbox)
	t.Handle("POST /api/v1/outbox/{id}/retry", h.retryOutbox)
}
