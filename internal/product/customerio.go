package product

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/embargohq/embargo/internal/notify"
)

// CustomerCSVColumns are the columns of the customer CSV format, one row
// per version a customer runs (a customer that runs nothing yet has one
// row without product and version). Rows of one name are one customer:
// their contacts must agree.
var CustomerCSVColumns = []string{"name", "kind", "country", "language", "email", "webhook_url", "robot_kind", "robot_url",
	"product", "model", "version"}

// jsonCustomer is a customer in the JSON format.
type jsonCustomer struct {
	Name       string `json:"name"`
	Kind       string `json:"kind,omitempty"`
	Country    string `json:"country"`
	Language   string `json:"language,omitempty"`
	Email      string `json:"email,omitempty"`
	WebhookURL string `json:"webhook_url,omitempty"`
	RobotKind  string `json:"robot_kind,omitempty"`
	RobotURL   string `json:"robot_url,omitempty"`
	Runs       []Run  `json:"runs,omitempty"`
}

// ParseCustomersJSON reads customers in the JSON format: {"customers":
// [{name, kind, country, language, email, webhook_url, robot_kind,
// robot_url, runs: [{product, model, version}]}]}, no other members.
// Errors: errs.Invalid wrapping an *ImportError; errs.TooLarge over
// MaxImportSize.
func ParseCustomersJSON(r io.Reader) ([]Customer, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Customers []jsonCustomer `json:"customers"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, importError([]Problem{jsonProblem(data, dec, err)})
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, importError([]Problem{{Line: lineAt(data, dec.InputOffset()), Msg: "the document continues after its end"}})
	}
	out := make([]Customer, 0, len(doc.Customers))
	for _, j := range doc.Customers {
		out = append(out, Customer{Party: Party{Name: j.Name, Country: j.Country, Email: j.Email}, Kind: CustomerKind(j.Kind),
			Language: j.Language, WebhookURL: j.WebhookURL, RobotKind: notify.Kind(j.RobotKind), RobotURL: j.RobotURL, Runs: j.Runs})
	}
	return checked(out)
}

// WriteCustomersJSON writes customers in the JSON format.
func WriteCustomersJSON(w io.Writer, cs []Customer) error {
	doc := struct {
		Customers []jsonCustomer `json:"customers"`
	}{Customers: []jsonCustomer{}}
	for _, c := range cs {
		doc.Customers = append(doc.Customers, jsonCustomer{Name: c.Name, Kind: string(c.Kind), Country: c.Country,
			Language: c.Language, Email: c.Email, WebhookURL: c.WebhookURL, RobotKind: string(c.RobotKind), RobotURL: c.RobotURL,
			Runs: c.Runs})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// ParseCustomersCSV reads customers in the CSV format (CustomerCSVColumns,
// in any order; name and country are required). Errors: errs.Invalid
// wrapping an *ImportError whose problems name line and column;
// errs.TooLarge over MaxImportSize.
func ParseCustomersCSV(r io.Reader) ([]Customer, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, importError([]Problem{csvProblem(err)})
	}
	col := map[string]int{}
	for i, n := range header {
		col[strings.ToLower(strings.TrimSpace(n))] = i
	}
	for _, need := range []string{"name", "country"} {
		if _, ok := col[need]; !ok {
			return nil, importError([]Problem{{Line: 1, Field: need, Msg: "the header has no " + need + " column"}})
		}
	}
	var out []Customer
	var ps []Problem
	index := map[string]int{}
	for len(ps) < maxIssues {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, importError(append(ps, csvProblem(err)))
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		c := Customer{Party: Party{Name: clean(get("name")), Country: get("country"), Email: get("email")},
			Kind: CustomerKind(get("kind")), Language: get("language"), WebhookURL: get("webhook_url"),
			RobotKind: notify.Kind(get("robot_kind")), RobotURL: get("robot_url")}
		if p, v := get("product"), get("version"); p != "" || v != "" {
			c.Runs = []Run{{Product: p, Model: get("model"), Version: v}}
		}
		i, ok := index[c.Name]
		if !ok {
			index[c.Name] = len(out)
			out = append(out, c)
			continue
		}
		prev := &out[i]
		if !sameContacts(*prev, c) {
			ps = append(ps, Problem{Line: line, Field: "name", Msg: "the same name has other contacts on an earlier line; one name is one party"})
		}
		prev.Runs = append(prev.Runs, c.Runs...)
	}
	if len(ps) > 0 {
		return nil, importError(ps)
	}
	return checked(out)
}

// WriteCustomersCSV writes customers in the CSV format.
func WriteCustomersCSV(w io.Writer, cs []Customer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CustomerCSVColumns); err != nil {
		return err
	}
	for _, c := range cs {
		head := []string{c.Name, string(c.Kind), c.Country, c.Language, c.Email, c.WebhookURL, string(c.RobotKind), c.RobotURL}
		runs := c.Runs
		if len(runs) == 0 {
			runs = []Run{{}}
		}
		for _, r := range runs {
			if err := cw.Write(append(head[:len(head):len(head)], r.Product, r.Model, r.Version)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func sameContacts(a, b Customer) bool {
	a.Runs, b.Runs = nil, nil
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// checked validates parsed customers.
func checked(cs []Customer) ([]Customer, error) {
	if ps := CheckCustomers(cs); len(ps) > 0 {
		return nil, importError(ps[:min(len(ps), maxIssues)])
	}
	return cs, nil
}

func csvProblem(err error) Problem {
	var pe *csv.ParseError
	switch {
	case errors.Is(err, io.EOF):
		return Problem{Line: 1, Msg: "the file has no header row naming its columns"}
	case errors.As(err, &pe):
		return Problem{Line: pe.Line, Msg: fmt.Sprintf("column %d: %v", pe.Column, pe.Err)}
	}
	return Problem{Msg: err.Error()}
}
