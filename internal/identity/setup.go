package identity

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/audit"
	"github.com/embargohq/embargo/internal/errs"
)

// User is an account.
type User struct {
	ID            int64
	Email         string
	DisplayName   string
	PasswordHash  string
	InstanceAdmin bool
	CreatedAt     time.Time
	OrgID         int64
	Role          access.Role
	Country       string // ISO 3166-1 alpha-2 jurisdiction (CN-09-7)
	// TOTPSecret is sealed by the keyring; TOTPEnabled is set once the user
	// has proved a code from it.
	TOTPSecret   []byte
	TOTPEnabled  bool
	FailedLogins int
	LockedUntil  time.Time
	DisabledAt   time.Time
	// AckVersion is the confidentiality statement version the user accepted;
	// OrgStatementVersion is the current version of their organisation's.
	AckVersion          int
	OrgStatementVersion int
	// Language is the UI language the user chose ("" = by browser).
	Language string
	// EmailVerifiedAt is when the user proved their address by a mailed
	// link; zero until then.
	EmailVerifiedAt time.Time
}

// Principal returns the principal for u acting in a browser session.
func (u User) Principal(secondFactor bool) *access.Principal {
	return &access.Principal{UserID: u.ID, Email: u.Email, Name: u.DisplayName, OrgID: u.OrgID, Role: u.Role,
		Country: u.Country, InstanceAdmin: u.InstanceAdmin, SecondFactor: secondFactor, TwoFactorEnrolled: u.TOTPEnabled,
		ConfidentialityAccepted: u.AckVersion >= u.OrgStatementVersion, Language: u.Language,
		EmailVerified: !u.EmailVerifiedAt.IsZero()}
}

// SetupState is what the setup step needs to know about the instance.
type SetupState struct {
	TokenHash string // hex SHA-256 of the one-time token; "" when used
	ExpiresAt time.Time
}

// SetupTx is the transaction in which the first administrator is created.
type SetupTx interface {
	Now() time.Time
	// LockSetup returns the setup state, locked until the transaction ends.
	LockSetup(ctx context.Context) (SetupState, error)
	SetSetupToken(ctx context.Context, hash string, expires time.Time) error
	// CreateUser stores u and returns its ID; errs.Conflict when the e-mail
	// address is taken.
	CreateUser(ctx context.Context, u User) (int64, error)
	// CreateOrganisation stores o and returns its ID.
	CreateOrganisation(ctx context.Context, o Organisation) (int64, error)
	AppendAudit(ctx context.Context, e audit.Event) (audit.Event, error)
}

// SetupStore runs setup transactions.
type SetupStore interface {
	TransactSetup(ctx context.Context, fn func(SetupTx) error) error
}

// Setup creates the first administrator with the one-time setup token
// that `embargo serve` printed at first start.
type Setup struct {
	store    SetupStore
	breached *Breached
}

// NewSetup returns a Setup over st.
func NewSetup(st SetupStore) *Setup { return &Setup{store: st} }

// WithBreached makes the first administrator's password pass the
// operator's breached-password list too.
func (s *Setup) WithBreached(b *Breached) *Setup {
	s.breached = b
	return s
}

// Check returns nil when token is the valid, unexpired setup token, and
// errs.NotFound otherwise (used, expired or wrong: the caller need not
// know which).
func (s *Setup) Check(ctx context.Context, token string) error {
	return s.store.TransactSetup(ctx, func(tx SetupTx) error {
		return checkToken(ctx, tx, token)
	})
}

func checkToken(ctx context.Context, tx SetupTx, token string) error {
	st, err := tx.LockSetup(ctx)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(token))
	got := hex.EncodeToString(sum[:])
	if st.TokenHash == "" || subtle.ConstantTimeCompare([]byte(got), []byte(st.TokenHash)) != 1 ||
		!tx.Now().Before(st.ExpiresAt) {
		return errs.Coded(errs.NotFound, "setup.link_invalid", "this setup link is not valid: it was used, it expired, or it is mistyped. Restart `embargo serve` for a new one while no administrator exists")
	}
	return nil
}

// FirstAdmin is the form that creates the first administrator and the
// first organisation.
type FirstAdmin struct {
	Token        string
	Email        string
	DisplayName  string
	Password     string
	Organisation string // name of the first organisation; "" means "Embargo"
}

// Organisation is a tenant.
type Organisation struct {
	ID        int64
	Name      string
	Kinds     []string // provider, operator, platform (RMSV Art. 2)
	Country   string   // where it is registered (CN-09-7)
	CreatedAt time.Time
	// Statement is the confidentiality statement staff accept before their
	// first access to cases, and again when StatementVersion changes
	// (CN-11-2). "" means the built-in default text.
	Statement        string
	StatementVersion int
}

// CreateFirstAdmin checks the token and the form, creates the
// administrator, spends the token and audits both, in one transaction.
// Errors: errs.NotFound for a bad token, errs.Invalid for a bad form.
func (s *Setup) CreateFirstAdmin(ctx context.Context, f FirstAdmin) (User, error) {
	email, err := normaliseEmail(f.Email)
	if err != nil {
		return User{}, err
	}
	name := strings.TrimSpace(f.DisplayName)
	if name == "" || len(name) > 200 {
		return User{}, errs.Coded(errs.Invalid, "name.invalid", "give a name of 1 to 200 characters")
	}
	if err := s.breached.Check(f.Password, email); err != nil {
		return User{}, err
	}
	u := User{Email: email, DisplayName: name, PasswordHash: HashPassword(f.Password), InstanceAdmin: true,
		Role: access.Administrator, Country: "CN"}
	org := Organisation{Name: strings.TrimSpace(f.Organisation), Kinds: []string{"provider"}, Country: "CN"}
	if org.Name == "" {
		org.Name = "Embargo"
	}
	err = s.store.TransactSetup(ctx, func(tx SetupTx) error {
		if err := checkToken(ctx, tx, f.Token); err != nil {
			return err
		}
		u.CreatedAt, org.CreatedAt = tx.Now(), tx.Now()
		if u.OrgID, err = tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		if u.ID, err = tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.SetSetupToken(ctx, "", time.Time{}); err != nil {
			return err
		}
		ev, err := audit.New(ctx, "setup", "user.create", userSubject(u.ID), map[string]any{"instance_admin": true})
		if err != nil {
			return err
		}
		ev.OrgID = u.OrgID
		_, err = tx.AppendAudit(ctx, ev)
		return err
	})
	return u, err
}

func userSubject(id int64) string { return "user:" + itoa(id) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// normaliseEmail checks an e-mail address and returns it lower-cased.
func normaliseEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || !strings.Contains(s[strings.LastIndexByte(s, '@'):], ".") || len(s) > 254 {
		return "", errs.Coded(errs.Invalid, "email.invalid", "give a valid e-mail address, such as psirt@example.cn")
	}
	return strings.ToLower(s), nil
}
