package audit

import (
	"context"
	"testing"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// fakeSearcher records the filter it was given.
type fakeSearcher struct {
	fakeLog
	got Filter
}

func (f *fakeSearcher) SearchAudit(_ context.Context, flt Filter) ([]Event, error) {
	f.got = flt
	return nil, nil
}

func TestViewerScopesToOrganisation(t *testing.T) {
	tests := []struct {
		name    string
		p       *access.Principal
		ask     Filter
		wantOrg int64
		wantErr errs.Kind
	}{
		{"auditor sees own organisation", &access.Principal{OrgID: 3, Role: access.Auditor}, Filter{OrgID: 7}, 3, 0},
		{"instance administrator chooses", &access.Principal{OrgID: 3, Role: access.Administrator, InstanceAdmin: true}, Filter{OrgID: 7}, 7, 0},
		{"engineer may not read the log", &access.Principal{OrgID: 3, Role: access.Engineer}, Filter{}, 0, errs.Forbidden},
		{"anonymous", nil, Filter{}, 0, errs.Unauthenticated},
	}
	for _, tc := range tests {
		f := &fakeSearcher{}
		_, err := NewViewer(f).Search(context.Background(), tc.p, tc.ask)
		if tc.wantErr != 0 {
			if !errs.Is(err, tc.wantErr) {
				t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || f.got.OrgID != tc.wantOrg || f.got.Stream != Main || f.got.Limit != 100 {
			t.Errorf("%s: searched %+v, %v; want organisation %d", tc.name, f.got, err, tc.wantOrg)
		}
	}
}
