package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/identity"
)

// runOrg implements `embargo org create|list|set`: the instance's
// organisations (tenants), with the kinds they are under RMSV Art. 2 and
// the country they are registered in (CN-09-7).
func runOrg(ctx context.Context, e *env, args []string) error {
	sub, args, err := subcommand(args, "list", "create", "list", "set")
	if err != nil {
		return err
	}
	var o identity.Organisation
	var kinds string
	c, rest, err := parseConfig(e, "org "+sub, args, func(fs *flag.FlagSet) {
		if sub != "list" {
			defKinds, defCountry := "provider", "CN"
			if sub == "set" { // unchanged unless given
				defKinds, defCountry = "", ""
			}
			fs.StringVar(&o.Name, "name", "", "the organisation's name")
			fs.StringVar(&kinds, "kinds", defKinds, "comma-separated: provider, operator, platform")
			fs.StringVar(&o.Country, "country", defCountry, "where it is registered, ISO 3166-1 alpha-2 (for the Art. 9(7) sharing gate)")
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
	op := access.Operator()
	o.Kinds = splitList(kinds)
	switch sub {
	case "list":
		orgs, err := svc.Organisations(ctx, op)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tKINDS\tCOUNTRY\tSTATEMENT")
		for _, o := range orgs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\tv%d\n", o.ID, o.Name, strings.Join(o.Kinds, ","), o.Country, o.StatementVersion)
		}
		return tw.Flush()
	case "create":
		o, err = svc.CreateOrganisation(ctx, op, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "organisation %d created: %s (%s, %s)\n", o.ID, o.Name, strings.Join(o.Kinds, ","), o.Country)
		return nil
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: embargo org set [flags] ID", errUsage)
	}
	if o.ID, err = strconv.ParseInt(rest[0], 10, 64); err != nil {
		return fmt.Errorf("%w: the organisation ID is a number, not %q", errUsage, rest[0])
	}
	old, err := db.Organisation(ctx, o.ID)
	if err != nil {
		return err
	}
	if o.Name == "" {
		o.Name = old.Name
	}
	if len(o.Kinds) == 0 {
		o.Kinds = old.Kinds
	}
	if o.Country == "" {
		o.Country = old.Country
	}
	if err := svc.UpdateOrganisation(ctx, op, o); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "organisation %d: %s (%s, %s)\n", o.ID, o.Name, strings.Join(o.Kinds, ","), o.Country)
	return nil
}
