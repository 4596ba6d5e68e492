package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/product"
)

// runProducts implements `embargo products import|export`: the product
// catalogue of an organisation on the local instance, as CSV or JSON.
func runProducts(ctx context.Context, e *env, args []string) error {
	sub, args, err := subcommand(args, "", "import", "export")
	if err != nil {
		return err
	}
	if sub == "" {
		return fmt.Errorf("%w: embargo products import|export [flags]", errUsage)
	}
	var org int64
	var format, out string
	var replace bool
	c, rest, err := parseConfig(e, "products "+sub, args, func(fs *flag.FlagSet) {
		fs.Int64Var(&org, "org", 1, "organisation ID")
		fs.StringVar(&format, "format", "", "csv or json (default: from the file name's extension, else json)")
		if sub == "import" {
			fs.BoolVar(&replace, "replace", false, "make each product in the file match it exactly (delete what the file lacks)")
		} else {
			fs.StringVar(&out, "out", "", "write to this file instead of standard output")
		}
	})
	if err != nil {
		return err
	}
	db, _, err := openInstance(ctx, c, e)
	if err != nil {
		return err
	}
	defer db.Close()
	op := access.Operator()
	op.OrgID = org
	svc := product.NewService(db)
	if sub == "export" {
		cat, err := svc.Export(ctx, op)
		if err != nil {
			return err
		}
		w := e.stdout
		if out != "" {
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		if formatOf(format, out) == "csv" {
			return product.WriteCSV(w, cat)
		}
		return product.WriteJSON(w, cat)
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: embargo products import [flags] FILE", errUsage)
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var cat product.Catalogue
	r := io.LimitReader(f, product.MaxImportSize+1)
	if formatOf(format, rest[0]) == "csv" {
		cat, err = product.ParseCSV(r)
	} else {
		cat, err = product.ParseJSON(r)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", rest[0], err)
	}
	sum, err := svc.Import(ctx, op, cat, product.ImportOptions{Replace: replace})
	if err != nil {
		return fmt.Errorf("%s: %w", rest[0], err)
	}
	fmt.Fprintf(e.stdout, "imported %s: %d products created, %d updated, %d unchanged\n", rest[0], sum.Created, sum.Updated, sum.Unchanged)
	return nil
}

// formatOf is the explicit format, or the one a file name's extension
// says, or json.
func formatOf(format, name string) string {
	if format != "" {
		return format
	}
	if strings.HasSuffix(strings.ToLower(name), ".csv") {
		return "csv"
	}
	return "json"
}
