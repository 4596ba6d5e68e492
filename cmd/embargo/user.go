package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/identity"
	"github.com/embargohq/embargo/internal/store"
)

// localIdentity opens the instance in the data directory and returns the
// identity service, acting as the local operator (bootstrap and recovery).
func localIdentity(ctx context.Context, c *Config, e *env) (*store.DB, *identity.Service, error) {
	db, kr, err := openInstance(ctx, c, e)
	if err != nil {
		return nil, nil, err
	}
	policy, err := identityPolicy(c)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, identity.NewService(db, policy, nil).WithSealer(kr), nil
}

// identityPolicy is the default policy with the operator's breached-password
// list, when --breached-passwords names one. A hashed list stays open (it
// is searched in place) for the life of the process.
func identityPolicy(c *Config) (identity.Policy, error) {
	p := identity.DefaultPolicy
	if c.BreachedPasswords == "" {
		return p, nil
	}
	b, err := identity.OpenBreached(c.BreachedPasswords)
	if err != nil {
		return p, fmt.Errorf("breached-passwords: %w", err)
	}
	p.Breached = b
	return p, nil
}

// runUser implements `embargo user create|list|disable|enable|set-password|reset-2fa`.
func runUser(ctx context.Context, e *env, args []string) error {
	sub, args, err := subcommand(args, "", "create", "list", "disable", "enable", "set-password", "reset-2fa")
	if err != nil || sub == "" {
		return fmt.Errorf("%w: embargo user create|list|disable|enable|set-password|reset-2fa [flags]", errUsage)
	}
	var nu identity.NewUser
	var role, passwordFile string
	c, rest, err := parseConfig(e, "user "+sub, args, func(fs *flag.FlagSet) {
		if sub == "create" {
			fs.StringVar(&nu.DisplayName, "name", "", "the person's name")
			fs.StringVar(&role, "role", "", "role: "+roleNames())
			fs.Int64Var(&nu.OrgID, "org", 1, "organisation ID")
			fs.StringVar(&nu.Country, "country", "CN", "jurisdiction, ISO 3166-1 alpha-2 (for the Art. 9(7) sharing gate)")
		}
		if sub == "create" || sub == "set-password" {
			fs.StringVar(&passwordFile, "password-file", "", "read the password from this file; without it a strong one is generated and printed once")
		}
	})
	if err != nil {
		return err
	}
	db, svc, err := localIdentity(ctx, c, e)
	if err != nil {
		return err
	}
	defer db.Close()
	if sub == "list" {
		return listUsers(ctx, e, svc)
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: embargo user %s [flags] EMAIL", errUsage, sub)
	}
	email := rest[0]
	op := access.Operator()
	switch sub {
	case "create", "set-password":
		pw, shown, err := password(passwordFile)
		if err != nil {
			return err
		}
		if sub == "create" {
			nu.Email, nu.Password, nu.Role = email, pw, access.Role(role)
			_, err = svc.CreateUser(ctx, op, nu)
		} else {
			err = svc.SetPassword(ctx, op, email, pw)
		}
		if err != nil {
			return err
		}
		if shown {
			fmt.Fprintf(e.stdout, "password for %s (shown once): %s\n", email, pw)
		}
	case "disable", "enable":
		err = svc.SetDisabled(ctx, op, email, sub == "disable")
	case "reset-2fa":
		err = svc.ResetTwoFactor(ctx, op, email)
	}
	if err == nil {
		fmt.Fprintf(e.stdout, "%s: done\n", sub)
	}
	return err
}

func listUsers(ctx context.Context, e *env, svc *identity.Service) error {
	users, err := svc.Users(ctx, access.Operator())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tORG\tROLE\tCOUNTRY\t2FA\tSTATE")
	for _, u := range users {
		state := "active"
		switch {
		case !u.DisabledAt.IsZero():
			state = "disabled"
		case time.Now().Before(u.LockedUntil):
			state = "locked"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%v\t%s\n", u.ID, u.Email, u.DisplayName, u.OrgID, u.Role, u.Country, u.TOTPEnabled, state)
	}
	return tw.Flush()
}

// password reads a password file, or generates a password (shown=true).
func password(file string) (pw string, shown bool, err error) {
	if file == "" {
		return generatePassword(), true, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", false, fmt.Errorf("--password-file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), false, nil
}

// generatePassword returns 4 groups of 5 letters and digits without
// look-alikes: about 103 bits.
func generatePassword() string {
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

func roleNames() string {
	var names []string
	for _, r := range access.Roles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}
