package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notice"
	"github.com/embargohq/embargo/internal/product"
	"github.com/embargohq/embargo/internal/remediation"
)

// Remediation is the part of remediation.Service the web UI uses.
type Remediation interface {
	ForCase(ctx context.Context, p *access.Principal, id int64) ([]remediation.Row, error)
	Put(ctx context.Context, p *access.Principal, caseID int64, f remediation.Fix) ([]remediation.Fix, error)
}

// Notices is the part of notice.Service the web UI uses: the staff's
// campaigns and the public links of recipients and subscribers.
type Notices interface {
	Compose(ctx context.Context, p *access.Principal, caseID int64, ct notice.Content) (notice.Campaign, error)
	Campaigns(ctx context.Context, p *access.Principal, caseID int64) ([]notice.Campaign, error)
	Get(ctx context.Context, p *access.Principal, caseID, id int64) (notice.Campaign, []notice.Recipient, error)
	Preview(ctx context.Context, p *access.Principal, caseID, id int64) ([]notice.Preview, error)
	Send(ctx context.Context, p *access.Principal, caseID, id int64) (notice.Campaign, error)
	Resend(ctx context.Context, p *access.Principal, caseID, id int64) (notice.Campaign, error)
	Recipient(ctx context.Context, token string) (notice.RecipientView, error)
	Acknowledge(ctx context.Context, token string) (notice.RecipientView, error)
	Reply(ctx context.Context, token, body string) error
	Subscribe(ctx context.Context, productID int64, email, lang string) error
	Confirm(ctx context.Context, token string) (notice.Subscription, error)
	Unsubscribe(ctx context.Context, token string) (notice.Subscription, error)
	Subscriptions(ctx context.Context, p *access.Principal, productID int64) ([]notice.Subscription, error)
}

// remediationPage is the data of a case's remediation page.
type remediationPage struct {
	CaseID    int64
	Ref       string
	Title     string
	Rows      []remediation.Row
	Lines     []string
	Campaigns []notice.Campaign
	CanWrite  bool
	Problem   string
	Zone      *time.Location
}

// remediationCall reads the signed-in caller and the case ID.
func (h *Handler) remediationCall(r *http.Request) (*access.Principal, int64, error) {
	p, err := signedIn(r)
	if err != nil {
		return nil, 0, err
	}
	if h.cfg.Remediation == nil || h.cfg.Notices == nil || h.cfg.Cases == nil {
		return nil, 0, errs.New(errs.NotFound, "no such page")
	}
	id, err := h.caseID(r)
	return p, id, err
}

// showRemediation shows a case's affected versions with their fixes and
// its notice campaigns.
func (h *Handler) showRemediation(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.remediationCall(r)
	if err != nil {
		return err
	}
	return h.renderRemediation(w, r, p, id, http.StatusOK, "")
}

func (h *Handler) renderRemediation(w http.ResponseWriter, r *http.Request, p *access.Principal, id int64, status int, problem string) error {
	c, err := h.cfg.Cases.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	rows, err := h.cfg.Remediation.ForCase(r.Context(), p, id)
	if err != nil {
		return err
	}
	cs, err := h.cfg.Notices.Campaigns(r.Context(), p, id)
	if err != nil {
		return err
	}
	data := remediationPage{CaseID: c.ID, Ref: c.Ref, Title: c.Title, Rows: rows, Campaigns: cs,
		CanWrite: p.Can(access.WriteRemediation), Problem: problem, Zone: chinaTime}
	for _, row := range rows {
		if l := row.Version.Line; l != "" && !slices.Contains(data.Lines, l) {
			data.Lines = append(data.Lines, l)
		}
	}
	noStore(w)
	return h.render(w, r, status, pageRemediation, data)
}

// putFix records a fix from the form: "target" is "line:<line>" or
// "version:<product>\x1f<model>\x1f<version>".
func (h *Handler) putFix(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.remediationCall(r)
	if err != nil {
		return err
	}
	f := remediation.Fix{Status: remediation.Status(r.PostFormValue("status")), FixedVersion: r.PostFormValue("fixed_version"),
		Patch: r.PostFormValue("patch"), Workaround: r.PostFormValue("workaround"), Note: r.PostFormValue("note")}
	target := r.PostFormValue("target")
	if line, ok := strings.CutPrefix(target, "line:"); ok {
		f.Line = line
	} else if v, ok := strings.CutPrefix(target, "version:"); ok {
		parts := strings.SplitN(v, "\x1f", 3)
		if len(parts) == 3 {
			f.Product, f.Model, f.Version.Version = parts[0], parts[1], parts[2]
		}
	}
	if at := r.PostFormValue("available_at"); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, chinaTime)
		if err != nil {
			return h.renderRemediation(w, r, p, id, http.StatusBadRequest, h.problem(r,
				errs.Coded(errs.Invalid, "remediation.time", "give the time as a date and a time")))
		}
		f.AvailableAt = t
	}
	_, err = h.cfg.Remediation.Put(r.Context(), p, id, f)
	return h.afterRemediation(w, r, p, id, err, "/cases/"+strconv.FormatInt(id, 10)+"/remediation")
}

// afterRemediation goes to next, or shows the page again with a refusal.
func (h *Handler) afterRemediation(w http.ResponseWriter, r *http.Request, p *access.Principal, id int64, err error, next string) error {
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.Conflict) {
		return h.renderRemediation(w, r, p, id, errs.HTTPStatus(err), h.problem(r, err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// composeCampaign drafts a campaign and shows it for preview.
func (h *Handler) composeCampaign(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.remediationCall(r)
	if err != nil {
		return err
	}
	c, err := h.cfg.Notices.Compose(r.Context(), p, id, notice.Content{MessageZH: r.PostFormValue("message_zh"),
		MessageEN: r.PostFormValue("message_en"), Subscribers: r.PostFormValue("subscribers") != ""})
	return h.afterRemediation(w, r, p, id, err, campaignURL(id, c.ID))
}

func campaignURL(caseID, id int64) string {
	return "/cases/" + strconv.FormatInt(caseID, 10) + "/campaigns/" + strconv.FormatInt(id, 10)
}

// campaignPage is the data of a campaign's page.
type campaignPage struct {
	CaseID     int64
	Ref        string
	Campaign   notice.Campaign
	Recipients []notice.Recipient
	Previews   []notice.Preview
	Counts     map[notice.RecipientState]int
	CanWrite   bool
	Problem    string
	Zone       *time.Location
}

// showCampaign shows a campaign: its recipients with their states, and
// the notices as each kind of recipient gets them.
func (h *Handler) showCampaign(w http.ResponseWriter, r *http.Request) error {
	p, id, err := h.remediationCall(r)
	if err != nil {
		return err
	}
	return h.renderCampaign(w, r, p, id, http.StatusOK, "")
}

func (h *Handler) renderCampaign(w http.ResponseWriter, r *http.Request, p *access.Principal, id int64, status int, problem string) error {
	cid, err := strconv.ParseInt(r.PathValue("campaign"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "notice.not_found", "no such campaign")
	}
	c, rs, err := h.cfg.Notices.Get(r.Context(), p, id, cid)
	if err != nil {
		return err
	}
	pv, err := h.cfg.Notices.Preview(r.Context(), p, id, cid)
	if err != nil {
		return err
	}
	kase, err := h.cfg.Cases.Get(r.Context(), p, id)
	if err != nil {
		return err
	}
	data := campaignPage{CaseID: id, Ref: kase.Ref, Campaign: c, Recipients: rs, Previews: pv, Counts: map[notice.RecipientState]int{},
		CanWrite: p.Can(access.WriteRemediation), Problem: problem, Zone: chinaTime}
	for _, rc := range rs {
		data.Counts[rc.State()]++
	}
	noStore(w)
	return h.render(w, r, status, pageCampaign, data)
}

// sendCampaign and resendCampaign start a campaign's delivery.
func (h *Handler) sendCampaign(w http.ResponseWriter, r *http.Request) error {
	return h.startCampaign(w, r, h.cfg.Notices.Send)
}

func (h *Handler) resendCampaign(w http.ResponseWriter, r *http.Request) error {
	return h.startCampaign(w, r, h.cfg.Notices.Resend)
}

func (h *Handler) startCampaign(w http.ResponseWriter, r *http.Request,
	start func(context.Context, *access.Principal, int64, int64) (notice.Campaign, error)) error {
	p, id, err := h.remediationCall(r)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseInt(r.PathValue("campaign"), 10, 64)
	if err != nil {
		return errs.Coded(errs.NotFound, "notice.not_found", "no such campaign")
	}
	if _, err := start(r.Context(), p, id, cid); errs.Is(err, errs.Conflict) {
		return h.renderCampaign(w, r, p, id, http.StatusConflict, h.problem(r, err))
	} else if err != nil {
		return err
	}
	http.Redirect(w, r, campaignURL(id, cid), http.StatusSeeOther)
	return nil
}

// customersPage is the data of /customers.
type customersPage struct {
	Customers []product.Customer
	CanWrite  bool
	Problem   string
	Stored    int
	// Subscribers are each product's public subscriptions, for those who
	// keep the catalogue (addresses masked).
	Subscribers []productSubscribers
}

// productSubscribers is a product with its public subscriptions and the
// link that people subscribe through.
type productSubscribers struct {
	ProductID     int64
	Product       string
	Subscriptions []notice.Subscription
	Active        int
}

// showCustomers shows who runs what.
func (h *Handler) showCustomers(w http.ResponseWriter, r *http.Request) error {
	p, err := h.products(r)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("stored"))
	return h.renderCustomers(w, r, p, http.StatusOK, customersPage{Stored: n})
}

func (h *Handler) renderCustomers(w http.ResponseWriter, r *http.Request, p *access.Principal, status int, data customersPage) error {
	cs, err := h.cfg.Products.Customers(r.Context(), p)
	if err != nil {
		return err
	}
	data.Customers, data.CanWrite = cs, p.Can(access.ManageProducts)
	if data.CanWrite && h.cfg.Notices != nil {
		cat, err := h.cfg.Products.Export(r.Context(), p)
		if err != nil {
			return err
		}
		for _, pr := range cat.Products {
			subs, err := h.cfg.Notices.Subscriptions(r.Context(), p, pr.ID)
			if err != nil {
				return err
			}
			row := productSubscribers{ProductID: pr.ID, Product: pr.Name, Subscriptions: subs}
			for _, sub := range subs {
				if sub.State == "active" {
					row.Active++
				}
			}
			data.Subscribers = append(data.Subscribers, row)
		}
	}
	noStore(w)
	return h.render(w, r, status, pageCustomers, data)
}

// importCustomers takes a customer CSV or JSON file (by its extension).
func (h *Handler) importCustomers(w http.ResponseWriter, r *http.Request) error {
	p, err := h.products(r)
	if err != nil {
		return err
	}
	if err := p.Require(access.ManageProducts); err != nil {
		return err
	}
	body, isCSV, done, err := catalogueUpload(r)
	if err != nil {
		return h.renderCustomers(w, r, p, http.StatusBadRequest, customersPage{Problem: h.problem(r, err)})
	}
	defer done()
	var cs []product.Customer
	if isCSV {
		cs, err = product.ParseCustomersCSV(body)
	} else {
		cs, err = product.ParseCustomersJSON(body)
	}
	if err == nil {
		err = h.cfg.Products.PutCustomers(r.Context(), p, cs)
	}
	if errs.Is(err, errs.Invalid) || errs.Is(err, errs.TooLarge) {
		return h.renderCustomers(w, r, p, errs.HTTPStatus(err), customersPage{Problem: h.problem(r, err)})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/customers?stored="+strconv.Itoa(len(cs)), http.StatusSeeOther)
	return nil
}
