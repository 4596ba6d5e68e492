package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/embargohq/embargo/internal/store"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	sub, args, err := subcommand(args, "up", "up", "status")
	if err != nil {
		return err
	}
	c, _, err := parseConfig(e, "migrate "+sub, args, nil)
	if err != nil {
		return err
	}
	if sub == "status" {
		db, err := openExisting(ctx, c)
		if err != nil {
			return err
		}
		defer db.Close()
		return printMigrationStatus(ctx, e, db)
	}
	db, err := store.Open(ctx, c.DatabaseURL, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	for _, m := range applied {
		fmt.Fprintf(e.stdout, "applied %04d_%s\n", m.Version, m.Name)
	}
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(e.stdout, "the database is up to date")
	}
	return nil
}

func printMigrationStatus(ctx context.Context, e *env, db *store.DB) error {
	status, err := db.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "VERSION\tNAME\tAPPLIED (%s)\n", db.Dialect())
	for _, m := range status {
		at := "pending"
		if !m.AppliedAt.IsZero() {
			at = m.AppliedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%04d\t%s\t%s\n", m.Version, m.Name, at)
	}
	return tw.Flush()
}
