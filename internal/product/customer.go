package product

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/notify"
)

// Who runs what (RMSV Art. 7(3), CN-07-9): the catalogue's customers are
// the parties that affected-user notices go to. Each is a customer or a
// downstream vendor, reads notices in Chinese or English, is reached on
// one or more channels (e-mail, a signed webhook, a group robot), and
// runs some versions of the organisation's products. The versions it
// runs are the catalogue's version-customer links, so a catalogue import
// and this list show one truth.

// CustomerKind says what a party running a product is to the provider.
type CustomerKind string

// The kinds of customer.
const (
	EndCustomer      CustomerKind = "customer"          // uses the product
	DownstreamVendor CustomerKind = "downstream_vendor" // builds the product into its own
)

// The languages notices are written in.
const (
	Chinese = "zh-CN"
	English = "en"
)

// Customer is a party that runs versions of the organisation's products,
// with its contacts for every channel.
type Customer struct {
	ID int64
	Party
	Kind     CustomerKind
	Language string // Chinese or English
	// WebhookURL receives signed JSON notices (https; http to loopback).
	WebhookURL string
	// RobotKind and RobotURL name a WeCom, DingTalk or Feishu group robot.
	RobotKind notify.Kind
	RobotURL  string
	// Runs are the versions it runs, sorted.
	Runs []Run
}

// Run is one version a customer runs.
type Run struct {
	Product string `json:"product"`
	Model   string `json:"model"`
	Version string `json:"version"`
}

// CustomerTx is what the customer list needs of a catalogue transaction;
// *store.Tx is one.
type CustomerTx interface {
	Tx
	// Customers returns org's customers with the versions they run, by name.
	Customers(ctx context.Context, org int64) ([]Customer, error)
	// PutCustomerContacts stores c's party, kind, language and contacts by
	// name and returns its ID.
	PutCustomerContacts(ctx context.Context, org int64, c Customer) (int64, error)
	// SetCustomerVersions replaces the versions customer id runs.
	SetCustomerVersions(ctx context.Context, org, id int64, versionIDs []int64) error
	// DeleteCustomer deletes org's customer id and its runs; errs.NotFound.
	DeleteCustomer(ctx context.Context, org, id int64) error
}

// CustomerStore is the catalogue store with customer transactions;
// *store.DB is one.
type CustomerStore interface {
	TransactCustomers(ctx context.Context, fn func(CustomerTx) error) error
}

// Customers lists p's organisation's customers and what they run. Needs
// access.ReadCases or access.ManageProducts.
func (s *Service) Customers(ctx context.Context, p *access.Principal) ([]Customer, error) {
	st, err := s.customerStore(p, requireRead)
	if err != nil {
		return nil, err
	}
	var out []Customer
	err = st.TransactCustomers(ctx, func(tx CustomerTx) (err error) {
		if out, err = tx.Customers(ctx, p.OrgID); err != nil {
			return err
		}
		return OpenContacts(s.sealer, p.OrgID, out)
	})
	if !p.Can(access.ManageProducts) {
		// Robot and webhook URLs carry their tokens: only those who keep
		// the list see them whole.
		for i := range out {
			out[i].WebhookURL = maskIf(notify.Webhook, out[i].WebhookURL)
			out[i].RobotURL = maskIf(out[i].RobotKind, out[i].RobotURL)
		}
	}
	return out, err
}

func maskIf(k notify.Kind, target string) string {
	if target == "" {
		return ""
	}
	return notify.MaskTarget(k, target)
}

// WithCustomers returns s keeping the customer list in st, the
// customers' webhook and robot URLs sealed with sl (SealContacts).
func (s *Service) WithCustomers(st CustomerStore, sl Sealer) *Service {
	s.customers, s.sealer = st, sl
	return s
}

// customerStore checks p with require and returns the customer store;
// errs.NotFound when the service has none.
func (s *Service) customerStore(p *access.Principal, require func(*access.Principal) error) (CustomerStore, error) {
	if err := require(p); err != nil {
		return nil, err
	}
	if s.customers == nil {
		return nil, errs.Coded(errs.NotFound, "product.customer_not_found", "no such customer")
	}
	return s.customers, nil
}

// PutCustomers stores customers, each whole (its contacts and the
// versions it runs replace the stored ones), all or nothing; audited
// (product.customer) with the record before and after. Needs
// access.ManageProducts. Errors: errs.Invalid with an *ImportError listing
// the problems, among them versions the catalogue does not have.
func (s *Service) PutCustomers(ctx context.Context, p *access.Principal, cs []Customer) error {
	st, err := s.customerStore(p, requireManage)
	if err != nil {
		return err
	}
	if ps := CheckCustomers(cs); len(ps) > 0 {
		return importError(ps)
	}
	return st.TransactCustomers(ctx, func(tx CustomerTx) error {
		trees, err := tx.ProductTrees(ctx, p.OrgID, 0)
		if err != nil {
			return err
		}
		have, err := tx.Customers(ctx, p.OrgID)
		if err != nil {
			return err
		}
		if err := OpenContacts(s.sealer, p.OrgID, have); err != nil {
			return err
		}
		var ps []Problem
		for i, c := range cs {
			ids, missing := versionIDs(trees, c.Runs)
			for _, m := range missing {
				ps = append(ps, Problem{Field: customerPath(i, "runs"), Msg: "the catalogue has no version " + m})
			}
			if len(ps) > 0 {
				continue
			}
			if err := putCustomer(ctx, tx, p, s.sealer, have, c, ids); err != nil {
				return err
			}
		}
		if len(ps) > 0 {
			return importError(ps)
		}
		return nil
	})
}

func putCustomer(ctx context.Context, tx CustomerTx, p *access.Principal, sl Sealer, have []Customer, c Customer, ids []int64) error {
	sealed := c
	if err := SealContacts(sl, p.OrgID, &sealed); err != nil {
		return err
	}
	id, err := tx.PutCustomerContacts(ctx, p.OrgID, sealed)
	if err != nil {
		return err
	}
	if err := tx.SetCustomerVersions(ctx, p.OrgID, id, ids); err != nil {
		return err
	}
	var before any
	if i := slices.IndexFunc(have, func(h Customer) bool { return h.Name == c.Name }); i >= 0 {
		before = customerAudit(have[i])
	}
	return record(ctx, tx, p, "product.customer", "customer:"+c.Name, map[string]any{"before": before, "after": customerAudit(c)})
}

// DeleteCustomer deletes customer name with the record of what it runs;
// audited (product.customer_delete). Needs access.ManageProducts;
// errs.NotFound when there is no such customer.
func (s *Service) DeleteCustomer(ctx context.Context, p *access.Principal, name string) error {
	st, err := s.customerStore(p, requireManage)
	if err != nil {
		return err
	}
	return st.TransactCustomers(ctx, func(tx CustomerTx) error {
		have, err := tx.Customers(ctx, p.OrgID)
		if err != nil {
			return err
		}
		if err := OpenContacts(s.sealer, p.OrgID, have); err != nil {
			return err
		}
		i := slices.IndexFunc(have, func(h Customer) bool { return h.Name == name })
		if i < 0 {
			return errs.Coded(errs.NotFound, "product.customer_not_found", "no such customer")
		}
		if err := tx.DeleteCustomer(ctx, p.OrgID, have[i].ID); err != nil {
			return err
		}
		return record(ctx, tx, p, "product.customer_delete", "customer:"+name, map[string]any{"before": customerAudit(have[i])})
	})
}

// customerAudit is what the audit log keeps of a customer: its contacts
// masked as the outbox shows them (robot URLs hold tokens).
func customerAudit(c Customer) map[string]any {
	m := map[string]any{"name": c.Name, "kind": c.Kind, "country": c.Country, "language": c.Language, "runs": c.Runs}
	if c.Email != "" {
		m["email"] = notify.MaskTarget(notify.Email, c.Email)
	}
	if c.WebhookURL != "" {
		m["webhook"] = notify.MaskTarget(notify.Webhook, c.WebhookURL)
	}
	if c.RobotURL != "" {
		m["robot"] = string(c.RobotKind) + " " + notify.MaskTarget(c.RobotKind, c.RobotURL)
	}
	return m
}

// versionIDs resolves runs against the catalogue trees; missing lists the
// runs it has no version for.
func versionIDs(trees []Product, runs []Run) (ids []int64, missing []string) {
	for _, r := range runs {
		id := findVersion(trees, r)
		if id == 0 {
			missing = append(missing, strings.TrimSpace(r.Product+" "+r.Model+" "+r.Version))
			continue
		}
		ids = append(ids, id)
	}
	return ids, missing
}

func findVersion(trees []Product, r Run) int64 {
	for _, p := range trees {
		if p.Name != r.Product {
			continue
		}
		for _, m := range p.Models {
			if m.Name != r.Model && (r.Model != "" || len(p.Models) != 1) {
				continue
			}
			for _, v := range m.Versions {
				if v.Version == r.Version {
					return v.ID
				}
			}
		}
	}
	return 0
}

// CheckCustomers validates and normalises customers as imported or put
// through the API, and returns the problems (nil when none).
func CheckCustomers(cs []Customer) []Problem {
	var ps []Problem
	seen := map[string]bool{}
	add := func(i int, field, msg string) { ps = append(ps, Problem{Field: customerPath(i, field), Msg: msg}) }
	for i := range cs {
		c := &cs[i]
		checkCustomer(c, func(field, msg string) { add(i, field, msg) })
		if seen[c.Name] {
			add(i, "name", "the name is used twice; one name is one party")
		}
		seen[c.Name] = true
	}
	return ps
}

func checkCustomer(c *Customer, add func(field, msg string)) {
	c.Name, c.Country, c.Email = clean(c.Name), strings.ToUpper(strings.TrimSpace(c.Country)), strings.ToLower(strings.TrimSpace(c.Email))
	c.WebhookURL, c.RobotURL = strings.TrimSpace(c.WebhookURL), strings.TrimSpace(c.RobotURL)
	c.Kind, c.Language = CustomerKind(cmp.Or(string(c.Kind), string(EndCustomer))), cmp.Or(c.Language, Chinese)
	if !validName(c.Name, 200) {
		add("name", "give a name of 1 to 200 characters")
	}
	if !countryCode.MatchString(c.Country) {
		add("country", "give the country as a two-letter ISO 3166 code, such as CN")
	}
	if c.Kind != EndCustomer && c.Kind != DownstreamVendor {
		add("kind", "a party is a customer or a downstream_vendor")
	}
	if c.Language != Chinese && c.Language != English {
		add("language", "notices are written in zh-CN or en")
	}
	if c.Email != "" && !validEmail(c.Email) {
		add("email", "give a valid e-mail address, or none")
	}
	if c.WebhookURL != "" && !validTarget(notify.Webhook, c.WebhookURL) {
		add("webhook_url", "give an https URL (http only to loopback), or none")
	}
	switch {
	case c.RobotURL == "" && c.RobotKind == "":
	case c.RobotKind != notify.WeCom && c.RobotKind != notify.DingTalk && c.RobotKind != notify.Feishu:
		add("robot_kind", "a robot is wecom, dingtalk or feishu")
	case !validTarget(c.RobotKind, c.RobotURL):
		add("robot_url", "give the robot's https webhook URL")
	}
	if c.Email == "" && c.WebhookURL == "" && c.RobotURL == "" {
		add("email", "give at least one contact: an e-mail address, a webhook or a robot")
	}
	for j := range c.Runs {
		r := &c.Runs[j]
		r.Product, r.Model, r.Version = clean(r.Product), clean(r.Model), strings.TrimSpace(r.Version)
		if r.Product == "" || r.Version == "" {
			add("runs", "each version run names its product and version")
		}
	}
	slices.SortFunc(c.Runs, compareRuns)
	c.Runs = slices.Compact(c.Runs)
	if len(c.Runs) == 0 {
		c.Runs = nil
	}
}

func compareRuns(a, b Run) int {
	if c := strings.Compare(a.Product, b.Product); c != 0 {
		return c
	}
	if c := strings.Compare(a.Model, b.Model); c != 0 {
		return c
	}
	return CompareVersions(a.Version, b.Version)
}

// validTarget reports whether target is a valid destination of kind k.
func validTarget(k notify.Kind, target string) bool {
	m := notify.Message{Kind: k, DedupKey: "check", Target: target, Text: "check", Secret: "check", Event: "check"}
	return m.Validate() == nil
}

func customerPath(i int, field string) string {
	return "customers[" + strconv.Itoa(i) + "]." + field
}
