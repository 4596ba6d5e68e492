package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/identity"
)

// runToken implements `embargo token create|revoke`: API tokens for a
// user, made by the local operator.
func runToken(ctx context.Context, e *env, args []string) error {
	sub, args, err := subcommand(args, "", "create", "revoke")
	if err != nil || sub == "" {
		return fmt.Errorf("%w: embargo token create|revoke --user EMAIL [flags]", errUsage)
	}
	var email, name, scopes string
	var ttl time.Duration
	c, rest, err := parseConfig(e, "token "+sub, args, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "user", "", "the token's owner (e-mail address)")
		if sub == "create" {
			fs.StringVar(&name, "name", "", "what the token is for")
			fs.StringVar(&scopes, "scopes", "", "comma-separated permissions of the owner's role, e.g. case.read,case.write")
			fs.DurationVar(&ttl, "ttl", identity.DefaultTokenTTL, "lifetime, at most 8784h (366 days)")
		}
	})
	if err != nil {
		return err
	}
	if email == "" {
		return fmt.Errorf("%w: --user is required", errUsage)
	}
	db, svc, err := localIdentity(ctx, c, e)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, strings.ToLower(email))
	if err != nil {
		return err
	}
	// The operator acts for the owner: the token gets the owner's role,
	// and the audit log names the CLI as the actor.
	p := u.Principal(true)
	p.Local = true
	if sub == "revoke" {
		if len(rest) != 1 {
			return fmt.Errorf("%w: embargo token revoke --user EMAIL ID", errUsage)
		}
		id, err := strconv.ParseInt(rest[0], 10, 64)
		if err != nil {
			return fmt.Errorf("%w: token ID %q is not a number", errUsage, rest[0])
		}
		if err := svc.RevokeToken(ctx, p, id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "revoked token %d\n", id)
		return nil
	}
	var perms []access.Permission
	for _, s := range strings.Split(scopes, ",") {
		if s = strings.TrimSpace(s); s != "" {
			perms = append(perms, access.Permission(s))
		}
	}
	secret, t, err := svc.CreateToken(ctx, p, identity.NewToken{Name: name, Scopes: perms, TTL: ttl})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "token %d for %s, expires %s (shown once, store it now):\n%s\n", t.ID, u.Email, t.ExpiresAt.Format(time.RFC3339), secret)
	return nil
}
