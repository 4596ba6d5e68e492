package evidence

// The page's words, as [Chinese, English] pairs. Chinese follows the
// regulation's own terms (漏洞, 网络产品提供者, 工业和信息化部网络安全威胁和
// 漏洞信息共享平台). They live here rather than in the i18n catalogues so
// that the package renders a pack with nothing but itself.

// label returns the pair for a heading or field name. An unknown key is
// shown marked, ⟦key⟧, so that a gap shows on the page (and fails the
// tests) rather than failing the page.
func label(key string) [2]string {
	if pair, ok := pageLabels()[key]; ok {
		return pair
	}
	return [2]string{"⟦" + key + "⟧", "⟦" + key + "⟧"}
}

func pageLabels() map[string][2]string {
	return map[string][2]string{
		"title":        {"漏洞处置证据包", "Vulnerability handling evidence pack"},
		"regulation":   {"依据《网络产品安全漏洞管理规定》（工信部联网安〔2021〕66号）", "Under the Regulations on the Management of Network Product Security Vulnerabilities (RMSV, MIIT/CAC/MPS 2021 No. 66)"},
		"summary":      {"概要", "Summary"},
		"case":         {"案件", "Case"},
		"case_title":   {"漏洞名称", "Vulnerability"},
		"kind":         {"主体类型", "Role"},
		"t0":           {"发现或者获知时间 (T0)", "Discovered or learnt of (T0)"},
		"t0_source":    {"T0 来源", "T0 source"},
		"status":       {"处置状态", "Status"},
		"grade":        {"危害等级 (GB/T 30279)", "Grade (GB/T 30279)"},
		"aliases":      {"其他编号", "Other identifiers"},
		"organisation": {"单位", "Organisation"},
		"instance":     {"系统实例", "Embargo instance"},
		"generated_at": {"生成时间", "Generated"},
		"audit_head":   {"审计日志链头", "Audit chain head"},
		"format":       {"格式", "Format"},
		"duties":       {"法定义务", "Legal duties"},
		"duties_count": {"项义务，已履行", "duties, met:"},
		"duty":         {"义务", "Duty"},
		"requirement":  {"要求编号", "Requirement"},
		"due_at":       {"期限", "Due"},
		"state":        {"状态", "State"},
		"met_at":       {"履行时间", "Met"},
		"na_reason":    {"不适用理由", "Not applicable because"},
		"na_approver":  {"批准人", "Approved by"},
		"evidence":     {"证据", "Evidence"},
		"at":           {"时间", "Time"},
		"submissions":  {"报送记录", "Submissions"},
		"document":     {"报送内容", "Document"},
		"destination":  {"报送对象", "Sent to"},
		"snapshot":     {"快照 SHA-256", "Snapshot SHA-256"},
		"submitted_at": {"报送时间", "Submitted"},
		"by":           {"报送人", "By"},
		"channel":      {"渠道", "Channel"},
		"platform_ref": {"平台受理编号", "Platform reference"},
		"sharing":      {"漏洞信息提供决定（第九条第（七）项）", "Sharing decisions (RMSV Art. 9(7))"},
		"recipient":    {"接收方", "Recipient"},
		"country":      {"国家或地区", "Country"},
		"decision":     {"决定", "Decision"},
		"legal_ref":    {"法律意见编号", "Legal decision"},
		"decided":      {"决定人及时间", "Decided by, at"},
		"timeline":     {"处置时间线", "Timeline"},
		"actor":        {"操作人", "Actor"},
		"action":       {"操作", "Action"},
		"detail":       {"详情", "Detail"},
		"mapping":      {"法律条文对照表", "Legal mapping"},
		"reviewed_on":  {"复核日期", "Reviewed on"},
		"law":          {"法律文本", "Law"},
		"rmsv_article": {"《规定》条文", "RMSV article"},
		"csl_duty":     {"《网络安全法》义务条文", "Cybersecurity Law: duty"},
		"csl_penalty":  {"《网络安全法》罚则条文", "Cybersecurity Law: penalty"},
		"copy_note":    {"本页为证据包的可读副本，以经签名的 JSON 文件为准。校验签名与内容：", "This page is a readable copy of the evidence pack; the signed JSON file is authoritative. To check its signature and content:"},
		"times_note":   {"时间以北京时间 (CST, UTC+8) 和协调世界时 (UTC) 显示。", "Times are shown in UTC and in Beijing time (CST, UTC+8)."},
	}
}

// valueLabel returns the pair for an enumerated value of the given kind,
// or the value itself in both languages when it has no label.
func valueLabel(kind, v string) [2]string {
	if pair, ok := valueLabels()[kind+":"+v]; ok {
		return pair
	}
	return [2]string{v, v}
}

func valueLabels() map[string][2]string {
	return map[string][2]string{
		"kind:provider":        {"网络产品提供者", "network product provider"},
		"kind:operator":        {"网络运营者", "network operator"},
		"state:pending":        {"待履行", "pending"},
		"state:due_soon":       {"即将到期", "due soon"},
		"state:overdue":        {"已逾期", "overdue"},
		"state:met":            {"已履行", "met"},
		"state:not_applicable": {"不适用", "not applicable"},
		"item:submission":      {"报送", "submission"},
		"item:notice":          {"通知", "notice"},
		"item:advisory":        {"安全公告", "advisory"},
		"item:transition":      {"状态变更", "status change"},
		"item:decision":        {"决定", "decision"},
		"item:file":            {"文件", "file"},
		"decision:allowed":     {"允许", "allowed"},
		"decision:blocked":     {"禁止", "blocked"},
		"grade:critical":       {"超危", "critical"},
		"grade:high":           {"高危", "high"},
		"grade:medium":         {"中危", "medium"},
		"grade:low":            {"低危", "low"},
		"status:received":      {"已接收", "received"},
		"status:verifying":     {"验证中", "verifying"},
		"status:confirmed":     {"已确认", "confirmed"},
		"status:rejected":      {"已驳回", "rejected"},
		"status:remediating":   {"修补中", "remediating"},
		"status:fixed":         {"已修补", "fixed"},
		"status:published":     {"已发布", "published"},
		"status:closed":        {"已关闭", "closed"},
		"status:detected":      {"已发现", "detected"},
		"status:remediated":    {"已修复", "remediated"},
		"status:mitigated":     {"已缓解", "mitigated"},
		"status:risk_accepted": {"已接受风险", "risk accepted"},
		"regime:CN-RMSV":       {"《网络产品安全漏洞管理规定》", "RMSV (China)"},
		"regime:EU-CRA":        {"欧盟《网络弹性法案》", "EU Cyber Resilience Act"},
		"channel:web form":     {"网页表单", "web form"},
		"channel:api":          {"接口", "API"},
		"channel:e-mail":       {"电子邮件", "e-mail"},
	}
}
