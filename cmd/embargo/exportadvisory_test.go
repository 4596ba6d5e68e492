package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
	"github.com/embargohq/embargo/internal/store"
)

// mustStoreAdvisory stores a published advisory EMB-2026-0001-SA of
// organisation 1 (Acme, made by mustSetUp) on the instance in data.
func mustStoreAdvisory(t *testing.T, data string) {
	t.Helper()
	ctx := context.Background()
	c, _, err := parseConfig(envFrom(nil), "test", []string{"--data", data}, nil)
	if err != nil {
		t.Fatal(err)
	}
	db, _, err := openInstance(ctx, c, envFrom(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	ct := advisory.Content{
		Title:       advisory.Text{ZH: "AX3000 命令注入", EN: "Command injection in AX3000"},
		Description: advisory.Text{ZH: "管理界面把参数交给 shell。", EN: "The web UI passes a parameter to a shell."},
		Affected:    []advisory.Affected{{Product: "AX3000", Versions: ">=1.0.0 <1.0.4", Fixed: "1.0.4"}},
		CVSS:        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", Grade: "high", CWE: "CWE-78",
		Remediation: advisory.Text{ZH: "升级到 1.0.4。", EN: "Upgrade to 1.0.4."},
		References:  []advisory.Reference{{URL: "https://acme.example.cn/psirt/1", Kind: "advisory"}},
		Aliases:     []string{"CVE-2026-4242"},
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		caseID, err := tx.CreateCase(ctx, casework.Case{OrgID: 1, Ref: "EMB-2026-0001", Title: "AX3000", Status: casework.Published,
			Kind: casework.ProviderCase, CreatedAt: at, T0: at, T0Source: "internal"})
		if err != nil {
			return err
		}
		id, err := tx.CreateAdvisory(ctx, advisory.Advisory{OrgID: 1, CaseID: caseID, Ref: "EMB-2026-0001-SA", State: advisory.Published,
			Live: 1, CreatedAt: at, UpdatedAt: at}, []byte("sealed"))
		if err != nil {
			return err
		}
		return tx.AddRevision(ctx, 1, advisory.Revision{AdvisoryID: id, Number: 1, Kind: advisory.Release, Content: ct,
			PublishedAt: at, PublishedBy: "user:2", ApprovedBy: "user:3"})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExportAdvisory writes a published advisory in every format, by its
// ref or its case's, and refuses what is missing with a clear error.
func TestExportAdvisory(t *testing.T) {
	data := t.TempDir()
	mustSetUp(t, data)
	mustStoreAdvisory(t, data)
	base := []string{"export", "advisory", "--data", data, "--base-url", "https://psirt.acme.example.cn", "--cve-org-id", "b3476cb9-2e3d-41a6-98d0-0f47421a65b6"}
	for _, tc := range []struct {
		format, ref string
		path        []string // a member of the document
		want        any
	}{
		{"csaf", "EMB-2026-0001-SA", []string{"document", "publisher", "namespace"}, "https://psirt.acme.example.cn"},
		{"cve5", "EMB-2026-0001", []string{"cveMetadata", "cveId"}, "CVE-2026-4242"},
		{"osv", "EMB-2026-0001-SA", []string{"id"}, "x_EMB-2026-0001-SA"},
		{"openvex", "EMB-2026-0001", []string{"author"}, "Acme"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			out, err := runCLI(t, append([]string{"export", "advisory", tc.ref}, append(base[2:], "--format", tc.format, "--lang", "en")...)...)
			if err != nil {
				t.Fatal(err)
			}
			var doc any
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, k := range tc.path {
				doc = doc.(map[string]any)[k]
			}
			if diff := cmp.Diff(tc.want, doc); diff != "" {
				t.Errorf("%s (-want +got):\n%s", strings.Join(tc.path, "."), diff)
			}
		})
	}
	// The ref after the flags, and --out.
	file := filepath.Join(t.TempDir(), "osv.json")
	if _, err := runCLI(t, append(base, "--format", "osv", "--out", file, "EMB-2026-0001-SA")...); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(file); err != nil || !strings.Contains(string(b), `"schema_version": "1.9.0"`) {
		t.Errorf("--out: %v\n%s", err, b)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no format", []string{"export", "advisory", "EMB-2026-0001-SA", "--data", data}, "--format"},
		{"unknown format", []string{"export", "advisory", "EMB-2026-0001-SA", "--data", data, "--format", "pdf"}, `--format "pdf"`},
		{"no ref", []string{"export", "advisory", "--data", data, "--format", "osv"}, "embargo export advisory REF"},
		{"CSAF without a base URL", []string{"export", "advisory", "EMB-2026-0001-SA", "--data", data, "--format", "csaf"}, "--base-url"},
		{"CVE without an orgId", []string{"export", "advisory", "EMB-2026-0001-SA", "--data", data, "--format", "cve5"}, "--cve-org-id"},
		{"a bad orgId", []string{"export", "advisory", "EMB-2026-0001-SA", "--data", data, "--format", "cve5", "--cve-org-id", "acme"}, "UUID"},
		{"no such advisory", []string{"export", "advisory", "EMB-2026-0099", "--data", data, "--format", "osv"}, "no published advisory EMB-2026-0099-SA"},
		{"bad language", []string{"export", "advisory", "EMB-2026-0001-SA", "--data", data, "--format", "osv", "--lang", "fr"}, "--lang"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := runCLI(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}
