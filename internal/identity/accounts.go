package identity

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/errs"
)

// NewUser is a request for an account.
type NewUser struct {
	Email       string
	DisplayName string
	Password    string
	OrgID       int64
	Role        access.Role
	Country     string // ISO 3166-1 alpha-2; "" means CN
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// CreateUser creates an account in an organisation. The principal needs
// access.ManageUsers, and must belong to that organisation unless it is an
// instance administrator. Errors: errs.Invalid for a bad form, errs.Conflict
// for a taken address.
func (s *Service) CreateUser(ctx context.Context, p *access.Principal, nu NewUser) (User, error) {
	if err := s.requireUserAdmin(p, nu.OrgID); err != nil {
		return User{}, err
	}
	u, err := checkNewUser(nu, s.policy.Breached)
	if err != nil {
		return User{}, err
	}
	err = s.store.TransactIdentity(ctx, func(tx Tx) error {
		u.CreatedAt = tx.Now()
		if u.ID, err = tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if mtx, ok := tx.(mailTx); ok && s.mail != nil { // the new address gets its verification link
			if err := s.mailToken(ctx, mtx, u, PurposeVerify, fmt.Sprintf("user:%d:verify:new", u.ID)); err != nil {
				return err
			}
		}
		return record(ctx, tx, u.OrgID, p.Actor(), "user.create", userSubject(u.ID),
			map[string]any{"email": u.Email, "org": u.OrgID, "role": u.Role, "country": u.Country})
	})
	if err == nil && s.mail != nil {
		s.mail.wake()
	}
	return u, err
}

func checkNewUser(nu NewUser, breached *Breached) (User, error) {
	email, err := normaliseEmail(nu.Email)
	if err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(nu.DisplayName)
	if name == "" || len(name) > 200 {
		return User{}, errs.Coded(errs.Invalid, "name.invalid", "give a name of 1 to 200 characters")
	}
	if _, ok := access.ParseRole(string(nu.Role)); !ok {
		return User{}, errs.Coded(errs.Invalid, "role.invalid", "unknown role %q", nu.Role)
	}
	country := strings.ToUpper(strings.TrimSpace(nu.Country))
	if country == "" {
		country = "CN"
	}
	if !countryCode.MatchString(country) {
		return User{}, errs.Coded(errs.Invalid, "country.invalid", "give the country as a two-letter ISO 3166 code, such as CN")
	}
	if err := breached.Check(nu.Password, email); err != nil {
		return User{}, err
	}
	return User{Email: email, DisplayName: name, PasswordHash: HashPassword(nu.Password), OrgID: nu.OrgID,
		Role: nu.Role, Country: country}, nil
}

// requireUserAdmin checks that p may manage the accounts of organisation org.
func (s *Service) requireUserAdmin(p *access.Principal, org int64) error {
	if err := p.Require(access.ManageUsers); err != nil {
		return err
	}
	if !p.InstanceAdmin && p.OrgID != org {
		return errs.New(errs.NotFound, "no such organisation")
	}
	return nil
}

// targetUser loads a user that p wants to manage; errs.NotFound when it
// does not exist or is outside p's organisation.
func (s *Service) targetUser(ctx context.Context, p *access.Principal, email string) (User, error) {
	u, err := s.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if err != nil {
		return u, err
	}
	if err := s.requireUserAdmin(p, u.OrgID); err != nil {
		return u, err
	}
	return u, nil
}

// SetPassword replaces a user's password (and clears a lockout), ending
// every session of theirs.
func (s *Service) SetPassword(ctx context.Context, p *access.Principal, email, password string) error {
	u, err := s.targetUser(ctx, p, email)
	if err != nil {
		return err
	}
	if err := s.policy.Breached.Check(password, u.Email); err != nil {
		return err
	}
	hash := HashPassword(password)
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.SetPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if _, err := tx.DeleteSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, p.Actor(), "user.set_password", userSubject(u.ID), nil)
	})
}

// SetDisabled disables or re-enables a user; disabling ends their
// sessions, and their tokens stop working.
func (s *Service) SetDisabled(ctx context.Context, p *access.Principal, email string, disabled bool) error {
	u, err := s.targetUser(ctx, p, email)
	if err != nil {
		return err
	}
	if disabled && u.ID == p.UserID {
		return errs.Coded(errs.Conflict, "user.disable_self", "you cannot disable your own account")
	}
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		at, action := time.Time{}, "user.enable"
		if disabled {
			at, action = tx.Now(), "user.disable"
		}
		if err := tx.SetDisabled(ctx, u.ID, at); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.DeleteSessions(ctx, u.ID, ""); err != nil {
				return err
			}
		}
		return record(ctx, tx, u.OrgID, p.Actor(), action, userSubject(u.ID), nil)
	})
}

// ResetTwoFactor removes a user's TOTP enrolment (for a lost device); they
// must enrol again at their next sign-in.
func (s *Service) ResetTwoFactor(ctx context.Context, p *access.Principal, email string) error {
	u, err := s.targetUser(ctx, p, email)
	if err != nil {
		return err
	}
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.SetTOTP(ctx, u.ID, nil, time.Time{}); err != nil {
			return err
		}
		if _, err := tx.DeleteSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, p.Actor(), "user.reset_2fa", userSubject(u.ID), nil)
	})
}

// Users lists the accounts p may manage: its organisation's, or every
// account for an instance administrator.
func (s *Service) Users(ctx context.Context, p *access.Principal) ([]User, error) {
	if err := p.Require(access.ManageUsers); err != nil {
		return nil, err
	}
	org := p.OrgID
	if p.InstanceAdmin {
		org = 0
	}
	return s.store.ListUsers(ctx, org)
}

// SetLanguage stores the principal's UI language: a BCP 47 tag the UI
// supports (the caller checks it), or "" to follow the browser.
func (s *Service) SetLanguage(ctx context.Context, p *access.Principal, lang string) error {
	if p == nil || p.TokenID != 0 || p.Local {
		return errs.New(errs.Forbidden, "only a signed-in person has a language preference")
	}
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.SetLanguage(ctx, p.UserID, lang); err != nil {
			return err
		}
		return record(ctx, tx, p.OrgID, p.Actor(), "user.set_language", userSubject(p.UserID), map[string]string{"language": lang})
	})
}

// ChangeRole gives a user another role. An administrator cannot change
// their own role (so an organisation never loses its last administrator
// by accident); the change ends the user's sessions, so that it takes
// effect at once.
func (s *Service) ChangeRole(ctx context.Context, p *access.Principal, email string, role access.Role) error {
	u, err := s.targetUser(ctx, p, email)
	if err != nil {
		return err
	}
	if _, ok := access.ParseRole(string(role)); !ok {
		return errs.Coded(errs.Invalid, "role.invalid", "unknown role %q", role)
	}
	if u.ID == p.UserID {
		return errs.Coded(errs.Conflict, "role.self", "you cannot change your own role")
	}
	if u.Role == role {
		return nil
	}
	return s.store.TransactIdentity(ctx, func(tx Tx) error {
		if err := tx.SetRole(ctx, u.ID, role); err != nil {
			return err
		}
		if _, err := tx.DeleteSessions(ctx, u.ID, ""); err != nil {
			return err
		}
		return record(ctx, tx, u.OrgID, p.Actor(), "user.role_change", userSubject(u.ID),
			map[string]string{"from": string(u.Role), "to": string(role)})
	})
}
