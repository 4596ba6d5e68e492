package identity_test

import (
	"context"
	"testing"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// TestOrganisations keeps tenants' jurisdiction (CN-09-7) in the hands of
// instance administrators and each organisation's own administrator.
func TestOrganisations(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := f.mustUser(t, "admin@example.cn", access.Administrator).Principal(true)
	triager := f.mustUser(t, "triage@example.cn", access.Triager).Principal(true)
	if _, err := f.svc.CreateOrganisation(ctx, admin, identity.Organisation{Name: "X", Kinds: []string{"provider"}, Country: "CN"}); !errs.Is(err, errs.Forbidden) {
		t.Errorf("an organisation's administrator adds a tenant: err = %v", err)
	}
	other, err := f.svc.CreateOrganisation(ctx, access.Operator(), identity.Organisation{Name: " Globex ", Kinds: []string{"Operator", "operator"}, Country: "us"})
	if err != nil || other.Name != "Globex" || len(other.Kinds) != 1 || other.Country != "US" {
		t.Fatalf("create = %+v, %v", other, err)
	}
	for _, bad := range []identity.Organisation{{Name: "", Kinds: []string{"provider"}, Country: "CN"},
		{Name: "Y", Kinds: []string{"vendor"}, Country: "CN"}, {Name: "Y", Country: "CN"}, {Name: "Y", Kinds: []string{"provider"}, Country: "CHN"}} {
		if _, err := f.svc.CreateOrganisation(ctx, access.Operator(), bad); !errs.Is(err, errs.Invalid) {
			t.Errorf("create %+v: err = %v, want Invalid", bad, err)
		}
	}
	mine := identity.Organisation{ID: f.org, Name: "Acme", Kinds: []string{"provider", "platform"}, Country: "HK"}
	if err := f.svc.UpdateOrganisation(ctx, triager, mine); !errs.Is(err, errs.Forbidden) {
		t.Errorf("triager updates: err = %v", err)
	}
	if err := f.svc.UpdateOrganisation(ctx, admin, identity.Organisation{ID: other.ID, Name: "G", Kinds: []string{"provider"}, Country: "CN"}); !errs.Is(err, errs.NotFound) {
		t.Errorf("administrator updates another tenant: err = %v", err)
	}
	if err := f.svc.UpdateOrganisation(ctx, admin, mine); err != nil {
		t.Fatal(err)
	}
	list, err := f.svc.Organisations(ctx, admin)
	if err != nil || len(list) != 1 || list[0].Country != "HK" || len(list[0].Kinds) != 2 {
		t.Errorf("own list = %+v, %v", list, err)
	}
	if all, _ := f.svc.Organisations(ctx, access.Operator()); len(all) != 2 {
		t.Errorf("instance list has %d", len(all))
	}
	if !hasAction(t, f.db, "org.update") || !hasAction(t, f.db, "org.create") {
		t.Error("organisation changes are not audited")
	}
}
