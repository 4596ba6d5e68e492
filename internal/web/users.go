package web

import (
	"crypto/rand"
	"net/http"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/identity"
)

// usersPage is the data of /admin/users.
type usersPage struct {
	Users    []identity.User
	Roles    []access.Role
	Created  string // e-mail of a user just created
	Password string // their initial password: shown once
	Problem  string
	Form     identity.NewUser
}

// showUsers lists the accounts the reader administers.
func (h *Handler) showUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	return h.renderUsers(w, r, p, http.StatusOK, usersPage{Form: identity.NewUser{Country: "CN"}})
}

func (h *Handler) renderUsers(w http.ResponseWriter, r *http.Request, p *access.Principal, status int, data usersPage) error {
	users, err := h.cfg.Identity.Users(r.Context(), p)
	if err != nil {
		return err
	}
	data.Users, data.Roles = users, access.Roles()
	noStore(w)
	return h.render(w, r, status, pageUsers, data)
}

// createUser creates an account in the reader's organisation with a
// generated initial password, shown once, for the administrator to hand
// over through a safe channel.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err, "the form could not be read")
	}
	nu := identity.NewUser{Email: r.PostForm.Get("email"), DisplayName: r.PostForm.Get("display_name"),
		Role: access.Role(r.PostForm.Get("role")), Country: r.PostForm.Get("country"), OrgID: p.OrgID,
		Password: initialPassword()}
	u, err := h.cfg.Identity.CreateUser(r.Context(), p, nu)
	if k := errs.KindOf(err); err != nil && (k == errs.Invalid || k == errs.Conflict) {
		nu.Password = ""
		return h.renderUsers(w, r, p, errs.HTTPStatus(err), usersPage{Form: nu, Problem: h.problem(r, err)})
	}
	if err != nil {
		return err
	}
	return h.renderUsers(w, r, p, http.StatusOK, usersPage{Created: u.Email, Password: nu.Password, Form: identity.NewUser{Country: "CN"}})
}

// setUserState disables or re-enables an account, or changes its role.
func (h *Handler) setUserState(w http.ResponseWriter, r *http.Request) error {
	p, err := signedIn(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errs.Wrap(errs.Invalid, err, "the form could not be read")
	}
	email := r.PostForm.Get("email")
	switch r.PathValue("action") {
	case "disable", "enable":
		err = h.cfg.Identity.SetDisabled(r.Context(), p, email, r.PathValue("action") == "disable")
	case "role":
		err = h.cfg.Identity.ChangeRole(r.Context(), p, email, access.Role(r.PostForm.Get("role")))
	default:
		return errs.New(errs.NotFound, "no such page")
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/users", http.StatusSeeOther)
	return nil
}

// initialPassword returns a random 20-character password (about 100 bits)
// in groups of five, easy to read out and type.
func initialPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	var out strings.Builder
	for i, c := range b {
		if i > 0 && i%5 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return out.String()
}
