package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/i18n"
)

// pageName names a page template: templates/<name>.tmpl, which defines
// "title" and "content" for the shared layout.
type pageName string

// The pages that handlers render.
const (
	pageHome   pageName = "home"
	pageError  pageName = "error"
	pageSetup  pageName = "setup"
	pageSignIn pageName = "signin"
	pageTokens pageName = "tokens"
	pageUsers  pageName = "users"
	// Two-factor: the code asked at sign-in, and the enrolment page.
	pageSecondFactor pageName = "secondfactor"
	pageTwoFactor    pageName = "twofactor"
	pageCases        pageName = "cases"
	pageCase         pageName = "case"
	pageStatement    pageName = "statement"
	pageAudit        pageName = "audit"
	pageReview       pageName = "review"
	pageProfile      pageName = "profile"
	// Intake: the public form and the reporter's page, then triage.
	pageReportForm  pageName = "reportform"
	pageReporter    pageName = "reporter"
	pageInbox       pageName = "inbox"
	pageStaffReport pageName = "report"
	pagePolicy      pageName = "policy"
	pageOutbox      pageName = "outbox"
	// Recovery: the reset request, the new password, and plain notices.
	pageForgot pageName = "forgot"
	pageReset  pageName = "reset"
	pageNotice pageName = "notice"
	// The product catalogue.
	pageProducts pageName = "products"
	// Exposure: what hits a product version, what an advisory hits, and
	// the organisation's assets.
	pageVersion  pageName = "version"
	pageAdvisory pageName = "advisory"
	pageAssets   pageName = "assets"
	pageImports  pageName = "imports"
	// Legal duties: the clock board and a case's report package.
	pageBoard     pageName = "obligations"
	pagePackage   pageName = "package"
	pageDashboard pageName = "dashboard"
	// Remediation and notices: a case's fixes and campaigns, who runs
	// what, and the public pages of recipients and subscribers.
	pageRemediation pageName = "remediation"
	pageCampaign    pageName = "campaign"
	pageCustomers   pageName = "customers"
	pageRecipient   pageName = "recipient"
	pageSubscribe   pageName = "subscribe"
	pageLinkAction  pageName = "linkaction"
	// A case's security advisory with the publication gate, and the
	// blackout calendar.
	pagePublication pageName = "publication"
	pageBlackouts   pageName = "blackouts"
	// The public advisory channels: the list and one advisory.
	pageAdvisories     pageName = "advisories"
	pagePublicAdvisory pageName = "bulletin"
)

// allPages lists every page a handler renders. loadSite parses each one, so
// a page without a template stops New instead of failing a request.
func allPages() []pageName {
	return []pageName{pageHome, pageError, pageSetup, pageSignIn, pageTokens, pageUsers, pageSecondFactor, pageTwoFactor, pageCases, pageCase, pageStatement, pageAudit, pageReview, pageProfile,
		pageReportForm, pageReporter, pageInbox, pageStaffReport, pagePolicy, pageOutbox, pageForgot, pageReset, pageNotice, pageProducts,
		pageVersion, pageAdvisory, pageAssets, pageImports,
		pageBoard, pagePackage, pageDashboard,
		pageRemediation, pageCampaign, pageCustomers, pageRecipient, pageSubscribe, pageLinkAction,
		pagePublication, pageBlackouts, pageAdvisories, pagePublicAdvisory}
}

// site is one parse of the templates and one read of the static files.
type site struct {
	pages  map[pageName]*template.Template
	assets *assets
}

// loadSite reads static files and parses templates from fsys, which holds
// the directories static/ and templates/.
func loadSite(fsys fs.FS) (*site, error) {
	a, err := loadAssets(fsys)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages(fsys, template.FuncMap{"static": a.url, "percent": percent, "scopeLines": scopeLines, "hours": hours, "who": who, "weblink": weblink})
	if err != nil {
		return nil, err
	}
	return &site{pages: pages, assets: a}, nil
}

// parsePages parses the layout once and clones it for every page, so that
// pages can define the same block names without clashing.
func parsePages(fsys fs.FS, funcs template.FuncMap) (map[pageName]*template.Template, error) {
	// templates/shared/ holds partials that several pages include, such as
	// the advisory document the preview and the public page both show.
	layout, err := template.New("layout.tmpl").Funcs(funcs).ParseFS(fsys, "templates/layout.tmpl", "templates/shared/*.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	pages := make(map[pageName]*template.Template)
	for _, name := range allPages() {
		t, err := layout.Clone()
		if err != nil {
			return nil, fmt.Errorf("clone layout for %s: %w", name, err)
		}
		if _, err := t.ParseFS(fsys, "templates/"+string(name)+".tmpl"); err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		for _, block := range []string{"title", "content"} {
			if t.Lookup(block) == nil {
				return nil, fmt.Errorf("page %s does not define %q", name, block)
			}
		}
		pages[name] = t
	}
	return pages, nil
}

// page is what every template receives: the reader's language, what the
// layout needs, and the page's own Data.
type page struct {
	i18n.Localizer
	// Version is the build version, for the footer.
	Version string
	// Path is the request's URL path, to mark the current navigation link.
	Path string
	// Next is where the language switch returns to: this page, when it can
	// be fetched again with GET.
	Next string
	// Languages are the choices of the language switch.
	Languages []languageChoice
	// User is the signed-in reader, or nil.
	User *access.Principal
	// Data is the page's own data.
	Data any
	// Warnings are the instance's operational warnings, shown to
	// administrators on every page.
	Warnings []string
}

// languageChoice is one button of the language switch.
type languageChoice struct {
	Code    string // BCP 47 tag, the form value
	Name    string // the language's name in itself
	Current bool
}

// newPage returns the template data for a page served to r.
func (h *Handler) newPage(r *http.Request, data any) page {
	lang := h.language(r)
	p := page{
		Localizer: h.catalog.For(lang),
		Version:   h.cfg.Version,
		Path:      r.URL.Path,
		Next:      "/",
		User:      access.From(r.Context()),
		Data:      data,
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		p.Next = r.URL.RequestURI()
	}
	if p.User != nil && p.User.Can(access.ManageOrg) {
		p.Warnings = h.warnings(p.Localizer)
	}
	for _, tag := range i18n.Supported() {
		p.Languages = append(p.Languages, languageChoice{
			Code: tag.String(), Name: h.catalog.T(tag, "lang.self"), Current: tag == lang,
		})
	}
	return p
}

// render executes the page into a buffer, so that a template error becomes
// an error page instead of half a page, then writes it with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name pageName, data any) error {
	s, err := h.currentSite()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", h.newPage(r, data)); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// The language comes from the cookie or Accept-Language.
	hd.Add("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	// A failed write means the client has gone; there is no one to tell.
	_, _ = w.Write(buf.Bytes())
	return nil
}

// percent formats a share from 0 to 1 as a whole percentage.
func percent(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" }

// hours writes a duration in hours with one decimal ("—" for none).
func hours(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return strconv.FormatFloat(d.Hours(), 'f', 1, 64) + " h"
}

// weblink reports whether s is a web address to show as a link.
func weblink(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// who names an actor ("user:42") by its display name when known, keeping
// the actor for the record: "王芳 (user:42)".
func who(names map[string]string, actor string) string {
	if n, ok := names[actor]; ok && n != "" {
		return n + " (" + actor + ")"
	}
	return actor
}
