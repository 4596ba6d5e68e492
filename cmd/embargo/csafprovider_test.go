package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/gopenpgp/v3/crypto"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/embargohq/embargo/internal/format/csaf/validate"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/modtest"
	"github.com/embargohq/embargo/internal/remediation"
)

// publishing is what TestCSAFProviderCrawl needs to publish advisories on
// a local instance before its server starts.
type publishing struct {
	t                    *testing.T
	org                  int64
	cases                *casework.Service
	fixes                *remediation.Service
	advisories           *advisory.Service
	author, officer      *access.Principal
	authorID             int64
	officerBearer, other string
	officerCookie        string
}

// publish opens a fixed case titled title, drafts its advisory with TLP
// label tlp, has the officer approve and publish it, and returns the case.
func (w *publishing) publish(title, tlp string) casework.Case {
	t, ctx := w.t, context.Background()
	c, err := w.cases.Create(ctx, w.officer, casework.NewCase{Title: title, Summary: title + ": 管理界面命令注入"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cases.AddPerson(ctx, access.SystemFor(w.org), c.ID, w.authorID, casework.Watcher); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cases.Assess(ctx, w.officer, c.ID, casework.Assessment{Grade: "high", CWE: "CWE-78",
		CVSS: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Scope: []casework.Affected{{Product: "AX3000", Versions: "<1.0.4"}}}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []casework.Status{casework.Verifying, casework.Confirmed, casework.Remediating} {
		if _, err := w.cases.Transition(ctx, w.officer, c.ID, casework.Move{To: to}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.fixes.Put(ctx, access.SystemFor(w.org), c.ID, remediation.Fix{Version: remediation.Version{Product: "AX3000",
		Version: "<1.0.4"}, Status: remediation.Fixed, FixedVersion: "1.0.4"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.cases.Transition(ctx, w.officer, c.ID, casework.Move{To: casework.Fixed}); err != nil {
		t.Fatal(err)
	}
	a, err := w.advisories.Create(ctx, w.author, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	ct := a.Content
	ct.Title.EN, ct.Description.EN, ct.TLP = title+" (EN)", "The web interface passes a parameter to a shell.", tlp
	w.release(c.ID, ct, advisory.Text{ZH: "首次发布", EN: "Initial release"})
	return c
}

// release edits case id's advisory to ct and takes it through review,
// approval and publication.
func (w *publishing) release(id int64, ct advisory.Content, note advisory.Text) {
	t, ctx := w.t, context.Background()
	if _, err := w.advisories.Edit(ctx, w.author, id, ct); err != nil {
		t.Fatal(err)
	}
	if _, err := w.advisories.Submit(ctx, w.author, id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.advisories.Approve(ctx, w.officer, id); err != nil {
		t.Fatal(err)
	}
	if _, err := w.advisories.Publish(ctx, w.officer, id, note); err != nil {
		t.Fatal(err)
	}
}

// providerMetadata is provider-metadata.json as a downloader reads it.
type providerMetadata struct {
	CanonicalURL  string `json:"canonical_url"`
	Role          string `json:"role"`
	Distributions []struct {
		DirectoryURL string `json:"directory_url"`
		ROLIE        *struct {
			Feeds []struct {
				TLP string `json:"tlp_label"`
				URL string `json:"url"`
			} `json:"feeds"`
		} `json:"rolie"`
	} `json:"distributions"`
	Keys []struct {
		Fingerprint string `json:"fingerprint"`
		URL         string `json:"url"`
	} `json:"public_openpgp_keys"`
}

// rolieFeed is a ROLIE feed as a downloader reads it.
type rolieFeed struct {
	Feed struct {
		Entry []struct {
			ID   string `json:"id"`
			Link []struct {
				Rel  string `json:"rel"`
				Href string `json:"href"`
			} `json:"link"`
			Content struct {
				Src string `json:"src"`
			} `json:"content"`
		} `json:"entry"`
	} `json:"feed"`
}

// TestCSAFProviderCrawl crawls the running provider the way a CSAF
// downloader does (CSAF 2.0 §7.1; CSAF-3), over HTTPS and refusing
// redirects: security.txt's CSAF line →
// provider-metadata.json (checked against the OASIS provider schema) →
// the public key → each ROLIE feed → each document, its SHA-256 and
// SHA-512 files and its OpenPGP signature, verified with the published
// key → the document itself (schema and §6.1 mandatory tests). It finds
// every published advisory: the TLP:WHITE ones anonymously, the AMBER one
// only with the token of a reader of its case; the withdrawn one is gone;
// index.txt and changes.csv list what the feed lists.
func TestCSAFProviderCrawl(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	mustSetUp(t, data)
	c, _, _ := parseConfig(envFrom(nil), "test", []string{"--data", data}, nil)
	db, kr, err := openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	ids := identity.NewService(db, identity.DefaultPolicy, nil).WithSealer(kr)
	cases := casework.NewService(db, kr, "EMB").WithGuard(casework.Guards(remediation.Guard, casework.HandPublishGuard))
	w := &publishing{t: t, org: 1, cases: cases, fixes: remediation.NewService(db, cases),
		advisories: advisory.NewService(db, cases, kr).WithCredits(func(context.Context, []string) ([]advisory.Credit, error) { return nil, nil })}
	author, officer := mustCaller(t, ids, "author", 1, access.Publisher), mustCaller(t, ids, "officer", 1, access.ComplianceOfficer)
	for _, p := range []struct {
		c  caller
		to **access.Principal
	}{{author, &w.author}, {officer, &w.officer}} {
		if *p.to, err = ids.AuthenticateToken(ctx, p.c.bearer); err != nil {
			t.Fatal(err)
		}
	}
	w.authorID, w.officerBearer, w.officerCookie = author.userID, officer.bearer, officer.cookie
	other, err := ids.CreateOrganisation(ctx, access.Operator(), identity.Organisation{Name: "Other", Kinds: []string{"provider"}, Country: "CN"})
	if err != nil {
		t.Fatal(err)
	}
	w.other = mustCaller(t, ids, "outsider", other.ID, access.ComplianceOfficer).bearer

	first := w.publish("AX3000 路由器命令注入", "")
	updated := w.publish("AX5000 路由器越权访问", "WHITE")
	amber := w.publish("AX7000 固件后门账户", "AMBER")
	gone := w.publish("AX1000 信息泄露", "")
	v, err := w.advisories.Get(ctx, w.author, updated.ID)
	if err != nil {
		t.Fatal(err)
	}
	ct := v.Content
	ct.Workarounds.EN = "Turn off remote management."
	w.release(updated.ID, ct, advisory.Text{EN: "Workaround added"})
	if _, err := w.advisories.Withdraw(ctx, w.officer, gone.ID, advisory.Text{EN: "not a vulnerability"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Over HTTPS (§7.1.3), with the instance's certificate trusted and
	// redirects refused (§7.1.6).
	certFile, keyFile := mustWriteCert(t)
	base, _ := startServe(t, "--data", data, "--tls-cert", certFile, "--tls-key", keyFile, "--cve-org-id", "b3476cb9-2e3d-41a6-98d0-0f47421a65b6")
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("base URL %q is not https", base)
	}
	pem, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}},
		CheckRedirect: func(req *http.Request, _ []*http.Request) error {
			return fmt.Errorf("redirected to %s: a CSAF provider must not redirect", req.URL)
		}}
	fetch := func(url string, want int, auth func(*http.Request)) []byte {
		t.Helper()
		if !strings.HasPrefix(url, "https://") {
			t.Fatalf("%s is not https", url)
		}
		req, _ := http.NewRequest("GET", url, nil)
		auth(req)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, want, b)
		}
		return b
	}
	// get fetches url anonymously, or with an API token.
	get := func(url, bearer string, want int) []byte {
		t.Helper()
		return fetch(url, want, func(req *http.Request) {
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
		})
	}

	// security.txt names the provider (§7.1.8).
	var metaURL string
	for _, l := range strings.Split(string(get(base+".well-known/security.txt", "", 200)), "\n") {
		if u, ok := strings.CutPrefix(l, "CSAF: "); ok {
			metaURL = u
		}
	}
	if metaURL != base+".well-known/csaf/provider-metadata.json" {
		t.Fatalf("security.txt's CSAF line names %q", metaURL)
	}
	metaJSON := get(metaURL, "", 200)
	checkProviderSchema(t, metaJSON)
	var meta providerMetadata
	if err := json.Unmarshal(metaJSON, &meta); err != nil {
		t.Fatal(err)
	}
	if meta.CanonicalURL != metaURL || meta.Role != "csaf_trusted_provider" || len(meta.Keys) != 1 {
		t.Fatalf("provider metadata: %s", metaJSON)
	}
	key, err := crypto.NewKeyFromArmored(string(get(meta.Keys[0].URL, "", 200)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(key.GetFingerprint(), meta.Keys[0].Fingerprint) {
		t.Fatalf("the key at %s has fingerprint %s, provider-metadata says %s", meta.Keys[0].URL, key.GetFingerprint(), meta.Keys[0].Fingerprint)
	}
	verifier, err := crypto.PGP().Verify().VerificationKey(key).New()
	if err != nil {
		t.Fatal(err)
	}
	schema := csafSchema(t)

	found := map[string][]string{} // by caller: "label ref version"
	feeds := map[string]string{}   // by label
	for _, d := range meta.Distributions {
		if d.ROLIE == nil {
			continue
		}
		for _, f := range d.ROLIE.Feeds {
			feeds[f.TLP] = f.URL
		}
	}
	if diff := cmp.Diff([]string{"AMBER", "WHITE"}, slices.Sorted(mapKeys(feeds))); diff != "" {
		t.Fatalf("feeds in provider-metadata (-want +got):\n%s", diff)
	}
	for _, who := range []struct{ name, bearer string }{{"anonymous", ""}, {"officer", w.officerBearer}, {"outsider", w.other}} {
		for _, label := range []string{"WHITE", "AMBER"} {
			if label == "AMBER" && who.bearer == "" {
				get(feeds[label], "", http.StatusUnauthorized)
				continue
			}
			var feed rolieFeed
			if err := json.Unmarshal(get(feeds[label], who.bearer, 200), &feed); err != nil {
				t.Fatal(err)
			}
			for _, e := range feed.Feed.Entry {
				doc := get(e.Content.Src, who.bearer, 200)
				links := map[string][]string{}
				for _, l := range e.Link {
					links[l.Rel] = append(links[l.Rel], l.Href)
				}
				if diff := cmp.Diff([]string{e.Content.Src}, links["self"]); diff != "" {
					t.Errorf("%s: self link (-want +got):\n%s", e.ID, diff)
				}
				for _, h := range links["hash"] {
					fields := strings.Fields(string(get(h, who.bearer, 200)))
					var sum []byte
					switch {
					case strings.HasSuffix(h, ".sha256"):
						s := sha256.Sum256(doc)
						sum = s[:]
					case strings.HasSuffix(h, ".sha512"):
						s := sha512.Sum512(doc)
						sum = s[:]
					}
					if len(fields) != 2 || fields[0] != hex.EncodeToString(sum) || fields[1] != filepath.Base(e.Content.Src) {
						t.Errorf("%s: %s says %q", e.ID, h, fields)
					}
				}
				if len(links["hash"]) != 2 || len(links["signature"]) != 1 {
					t.Fatalf("%s: links %v", e.ID, links)
				}
				res, err := verifier.VerifyDetached(doc, get(links["signature"][0], who.bearer, 200), crypto.Armor)
				if err != nil || res.SignatureError() != nil {
					t.Errorf("%s: signature: %v, %v", e.ID, err, res.SignatureError())
				}
				if vs, err := validate.Validate(doc, schema); err != nil || len(vs) > 0 {
					t.Errorf("%s: %v %v", e.ID, vs, err)
				}
				var d csaf.Document
				if d, err = csaf.Parse(doc); err != nil {
					t.Fatal(err)
				}
				tr := d.Document.Tracking
				wantPath := "/.well-known/csaf/" + strings.ToLower(label) + "/" + strconv.Itoa(tr.InitialReleaseDate.Year()) + "/" + csaf.FileName(tr.ID)
				if tr.ID != e.ID || !strings.HasSuffix(e.Content.Src, wantPath) || d.Document.Distribution.TLP.Label != label {
					t.Errorf("%s at %s: tracking ID %s, TLP %s; want the path %s", e.ID, e.Content.Src, tr.ID, d.Document.Distribution.TLP.Label, wantPath)
				}
				found[who.name] = append(found[who.name], label+" "+tr.ID+" "+tr.Version)
			}
		}
	}
	ref := func(c casework.Case) string { return c.Ref + "-SA" }
	white := []string{"WHITE " + ref(first) + " 1", "WHITE " + ref(updated) + " 2"}
	want := map[string][]string{"anonymous": white, "outsider": white,
		"officer": append(slices.Clone(white), "AMBER "+ref(amber)+" 1")}
	for k := range found {
		slices.Sort(found[k])
	}
	for k := range want {
		slices.Sort(want[k])
	}
	if diff := cmp.Diff(want, found); diff != "" {
		t.Errorf("documents found by crawling (-want +got):\n%s", diff)
	}

	// The directory distribution lists what the feed lists (§7.1.11–13).
	dir := meta.Distributions[0].DirectoryURL
	index := strings.Fields(string(get(dir+"index.txt", "", 200)))
	rows, err := csv.NewReader(bytes.NewReader(get(dir+"changes.csv", "", 200))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	year := strconv.Itoa(time.Now().UTC().Year())
	wantIndex := []string{year + "/" + csaf.FileName(ref(first)), year + "/" + csaf.FileName(ref(updated))}
	if diff := cmp.Diff(wantIndex, index); diff != "" {
		t.Errorf("index.txt (-want +got):\n%s", diff)
	}
	if len(rows) != 2 || rows[0][0] != wantIndex[1] || rows[1][0] != wantIndex[0] {
		t.Errorf("changes.csv, most recent first: %q", rows)
	}
	for _, r := range rows {
		get(dir+r[0], "", 200)
	}
	// The AMBER document: 401 without a token, 404 for another
	// organisation, 200 for a reader of the case.
	amberDoc := base + ".well-known/csaf/amber/" + year + "/" + csaf.FileName(ref(amber))
	get(amberDoc, "", http.StatusUnauthorized)
	get(amberDoc, w.other, http.StatusNotFound)
	get(amberDoc, w.officerBearer, http.StatusOK)
	get(base+".well-known/csaf/white/"+year+"/"+csaf.FileName(ref(gone)), "", http.StatusNotFound)
	get(base+".well-known/csaf/white/"+year+"/"+csaf.FileName(ref(first)), "bad-token", http.StatusUnauthorized)

	// Staff download the same document from the case's publication page,
	// and the other formats beside it.
	staff := func(path string, want int) []byte {
		t.Helper()
		return fetch(base+path, want, func(req *http.Request) {
			req.AddCookie(&http.Cookie{Name: "__Host-embargo_session", Value: w.officerCookie})
		})
	}
	export := "cases/" + strconv.FormatInt(first.ID, 10) + "/publication/export/"
	if got, want := staff(export+"csaf?lang=en", 200), get(dir+wantIndex[0], "", 200); !bytes.Equal(got, want) {
		t.Errorf("the staff's CSAF download differs from the provider's document:\n%s\n---\n%s", got, want)
	}
	var osv struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(staff(export+"osv", 200), &osv); err != nil || osv.ID != "x_"+ref(first) {
		t.Errorf("OSV download: id %q, %v", osv.ID, err)
	}
	staff(export+"cve5", http.StatusConflict) // the advisory has no CVE ID
	staff(export+"pdf", http.StatusNotFound)

	// Conditional requests are answered with 304.
	req, _ := http.NewRequest("GET", dir+year+"/"+csaf.FileName(ref(first)), nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
	if resp, err = client.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET with ETag %q: %v, %v", req.Header.Get("If-None-Match"), resp.StatusCode, err)
	}
	resp.Body.Close()
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// csafConformance is the OASIS CSAF 2.0 material in the shared folder.
var csafConformance = filepath.Join("..", "..", "..", "shared", "conformance", "csaf-2.0", "json_schema")

// csafSchema loads the CSAF 2.0 JSON schema (nil where it is absent
// outside CI: the §6.1 tests still run).
func csafSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	s, err := validate.LoadSchema(csafConformance)
	if err != nil {
		modtest.Unavailable(t, "the CSAF 2.0 schema at "+csafConformance)
		return nil
	}
	return s
}

// checkProviderSchema validates provider-metadata.json against the OASIS
// provider schema.
func checkProviderSchema(t *testing.T, b []byte) {
	t.Helper()
	s, err := validate.LoadProviderSchema(csafConformance)
	if err != nil {
		modtest.Unavailable(t, "the CSAF 2.0 provider schema at "+csafConformance)
		return
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(inst); err != nil {
		t.Errorf("provider-metadata.json: %v\n%s", err, b)
	}
}
