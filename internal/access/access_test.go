package access

import (
	"context"
	"flag"
	"os"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite docs/permissions.md")

// TestPermissionsDoc keeps docs/permissions.md equal to the table.
func TestPermissionsDoc(t *testing.T) {
	const path = "../../docs/permissions.md"
	want := Markdown()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("docs/permissions.md is stale; run go test ./internal/access -update (-want +got):\n%s", diff)
	}
}

func TestEveryPermissionIsExplainedAndUsed(t *testing.T) {
	used := map[Permission]bool{}
	for _, r := range Roles() {
		for _, p := range table[r] {
			used[p] = true
		}
	}
	for _, p := range Permissions() {
		if permissionHelp[p] == "" {
			t.Errorf("permission %s has no explanation", p)
		}
		if !used[p] {
			t.Errorf("permission %s is granted to no role", p)
		}
	}
	if len(table) != len(Roles()) {
		t.Errorf("table has %d roles, Roles() lists %d", len(table), len(Roles()))
	}
}

// TestLeastPrivilege pins the decisions that matter most.
func TestLeastPrivilege(t *testing.T) {
	tests := []struct {
		role Role
		perm Permission
		want bool
	}{
		{Auditor, ReadAudit, true},
		{Auditor, ReadCases, false},       // the auditor reads logs, not vulnerabilities
		{Auditor, WriteCases, false},      // and changes nothing
		{Administrator, ReadCases, false}, // administering users is not need-to-know
		{Engineer, ReadAllCases, false},
		{ComplianceOfficer, ReadAllCases, true},
		{ComplianceOfficer, ApproveSharing, true},
		{Triager, ApproveSharing, false},
		{Reporter, ReadCases, false},
		{PartyContact, ReadCases, false},
		{Publisher, PublishAdvisories, true},
		{Engineer, PublishAdvisories, false},
	}
	for _, tc := range tests {
		if got := tc.role.Can(tc.perm); got != tc.want {
			t.Errorf("%s.Can(%s) = %v, want %v", tc.role, tc.perm, got, tc.want)
		}
	}
}

func TestPrincipal(t *testing.T) {
	var anon *Principal
	if err := anon.Require(ReadCases); !errs.Is(err, errs.Unauthenticated) || anon.Actor() != "anonymous" {
		t.Errorf("anonymous: %v, %s", err, anon.Actor())
	}
	user := &Principal{UserID: 42, Role: Triager}
	if err := user.Require(WriteCases); err != nil {
		t.Errorf("triager WriteCases: %v", err)
	}
	if err := user.Require(ManageUsers); !errs.Is(err, errs.Forbidden) {
		t.Errorf("triager ManageUsers: %v", err)
	}
	token := &Principal{UserID: 42, Role: Triager, TokenID: 7, Scopes: []Permission{ReadCases, ManageUsers}}
	if !token.Can(ReadCases) || token.Can(WriteCases) || token.Can(ManageUsers) {
		t.Error("a token must have exactly its owner's permissions that its scopes name")
	}
	if token.Actor() != "token:7" || user.Actor() != "user:42" {
		t.Errorf("actors %s, %s", token.Actor(), user.Actor())
	}
	ctx := WithPrincipal(context.Background(), user)
	if From(ctx) != user || From(context.Background()) != nil {
		t.Error("From does not return what WithPrincipal stored")
	}
}
