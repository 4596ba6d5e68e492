package demo

import (
	"context"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/identity"
)

// OrgName is the demo organisation: an invented Chinese maker of network
// equipment, a provider under RMSV Art. 2.
const OrgName = "华睿网络技术有限公司 (Huarui Networks)"

// mailDomain is the demo's mail domain. The .example top-level domain is
// reserved (RFC 2606): no mail to it is ever delivered to anyone.
const mailDomain = "huarui.example"

// staff are the demo's people, one in each staff role; the first is the
// instance's first administrator.
var staff = []struct {
	local, name string
	role        access.Role
}{
	{"admin", "陈静 Chen Jing", access.Administrator},
	{"compliance", "王磊 Wang Lei", access.ComplianceOfficer},
	{"triage", "李娜 Li Na", access.Triager},
	{"engineer", "张伟 Zhang Wei", access.Engineer},
	{"publisher", "刘洋 Liu Yang", access.Publisher},
	{"auditor", "赵敏 Zhao Min", access.Auditor},
}

// organisation creates the organisation with its first administrator
// through the setup step, then the other people; each who reads cases
// accepts the confidentiality statement first (CN-11-2).
func (w *world) organisation(ctx context.Context) error {
	w.password = newPassword()
	w.ids = map[access.Role]int64{}
	first := staff[0]
	admin, err := w.s.Setup.CreateFirstAdmin(ctx, identity.FirstAdmin{Token: w.token, Email: first.local + "@" + mailDomain,
		DisplayName: first.name, Password: w.password, Organisation: OrgName})
	if err != nil {
		return err
	}
	w.people[access.Administrator], w.ids[access.Administrator] = admin.Principal(true), admin.ID
	w.account(admin)
	orgs, err := w.s.Identity.Organisations(ctx, access.Operator())
	if err != nil {
		return err
	}
	w.sum.Organisation = orgs[0]
	for _, st := range staff[1:] {
		u, err := w.s.Identity.CreateUser(ctx, w.people[access.Administrator], identity.NewUser{Email: st.local + "@" + mailDomain,
			DisplayName: st.name, Password: w.password, OrgID: admin.OrgID, Role: st.role, Country: "CN"})
		if err != nil {
			return err
		}
		p := u.Principal(true)
		if st.role.ReadsUndisclosed() {
			if err := w.s.Identity.AcceptStatement(ctx, p, w.sum.Organisation.StatementVersion); err != nil {
				return err
			}
			p.ConfidentialityAccepted = true
		}
		w.people[st.role], w.ids[st.role] = p, u.ID
		w.account(u)
	}
	return nil
}

func (w *world) account(u identity.User) {
	w.sum.Accounts = append(w.sum.Accounts, Account{Email: u.Email, Name: u.DisplayName, Role: u.Role, Password: w.password})
}

// as returns the principal of the demo's person in role r.
func (w *world) as(r access.Role) *access.Principal { return w.people[r] }
