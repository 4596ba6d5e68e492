package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/report"
)

// runExport writes data out of the local instance: the receipt log (RMSV
// Art. 5, CN-05-2) as CSV or JSON lines, or a published advisory as CSAF,
// CVE JSON 5, OSV or OpenVEX (runExportAdvisory).
func runExport(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "advisory" {
		return runExportAdvisory(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "receipts" {
		return fmt.Errorf("%w: embargo export receipts [--from DATE] [--to DATE] [--format csv|json] [--out FILE], or %s", errUsage, exportAdvisoryUsage)
	}
	var from, to, format, out string
	c, _, err := parseConfig(e, "export receipts", args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "first day to export, YYYY-MM-DD in China Standard Time (default: the oldest kept)")
		fs.StringVar(&to, "to", "", "last day to export, YYYY-MM-DD in China Standard Time, inclusive (default: today)")
		fs.StringVar(&format, "format", "csv", "csv, or json (one object a line)")
		fs.StringVar(&out, "out", "", "file to write (default: standard output)")
	})
	if err != nil {
		return err
	}
	fromT, err := parseDay(from, "--from", 0)
	if err != nil {
		return err
	}
	toT, err := parseDay(to, "--to", 1)
	if err != nil {
		return err
	}
	if format != "csv" && format != "json" {
		return fmt.Errorf("%w: --format %q: want csv or json", errUsage, format)
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	kr, err := openKeyring(ctx, c, e, db)
	if err != nil {
		return err
	}
	w := e.stdout
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	n := 0
	write := receiptWriter(w, format)
	err = report.ExportReceipts(ctx, db, kr, fromT, toT, func(r report.ReceiptRecord) error {
		n++
		return write(r)
	})
	if err == nil {
		err = write(report.ReceiptRecord{}) // flush
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d receipts\n", n)
	return nil
}

// parseDay reads a CST calendar day; add days are added (1 makes an
// inclusive end exclusive). "" is the zero time.
func parseDay(s, flag string, add int) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, report.CST)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s %q: want YYYY-MM-DD", errUsage, flag, s)
	}
	return t.AddDate(0, 0, add).UTC(), nil
}

// receiptWriter returns a function that writes one record; a zero record
// flushes.
func receiptWriter(w io.Writer, format string) func(report.ReceiptRecord) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return func(r report.ReceiptRecord) error {
			if r.Seq == 0 {
				return nil
			}
			return enc.Encode(r)
		}
	}
	cw := csv.NewWriter(w)
	header := false
	return func(r report.ReceiptRecord) error {
		if !header {
			header = true
			if err := cw.Write([]string{"seq", "receipt_id", "received_at_utc", "received_at_cst", "org_id", "channel",
				"tracking_id", "reporter_name", "reporter_email", "product", "version", "sha256", "size", "encrypted",
				"attachments", "actor", "hash", "prev_hash"}); err != nil {
				return err
			}
		}
		if r.Seq == 0 {
			cw.Flush()
			return cw.Error()
		}
		return cw.Write([]string{strconv.FormatInt(r.Seq, 10), r.ReceiptID, r.ReceivedAt.Format(time.RFC3339Nano), r.ReceivedCST,
			strconv.FormatInt(r.OrgID, 10), string(r.Channel), r.TrackingID, r.Reporter.Name, r.Reporter.Email, r.Product,
			r.Version, r.SHA256, strconv.FormatInt(r.Size, 10), strconv.FormatBool(r.Encrypted), strconv.Itoa(r.Attachments),
			r.Actor, r.Hash, r.PrevHash})
	}
}

// runReceipts manages the receipt log's retention on the local instance:
// purge what is older than the retention, and legal holds.
func runReceipts(ctx context.Context, e *env, args []string) error {
	sub, rest, err := subcommand(args, "", "purge", "hold", "release", "holds")
	if err != nil {
		return err
	}
	if sub == "" {
		return fmt.Errorf("%w: embargo receipts purge|hold|release|holds", errUsage)
	}
	var dryRun bool
	var from, reason string
	c, pos, err := parseConfig(e, "receipts "+sub, rest, func(fs *flag.FlagSet) {
		switch sub {
		case "purge":
			fs.BoolVar(&dryRun, "dry-run", false, "count what would be removed, remove nothing")
		case "hold":
			fs.StringVar(&from, "from", "", "keep every receipt from this day on, YYYY-MM-DD in China Standard Time")
			fs.StringVar(&reason, "reason", "", "why (a court order, an investigation)")
		}
	})
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	op := access.Operator()
	switch sub {
	case "purge":
		p, err := report.PurgeReceipts(ctx, db, op, c.ReceiptRetention, dryRun)
		if err != nil {
			return err
		}
		verb := "removed"
		if dryRun {
			verb = "would remove"
		}
		fmt.Fprintf(e.stdout, "%s %d receipts received before %s (retention %d months)", verb, p.Count,
			p.Cutoff.In(report.CST).Format("2006-01-02 15:04 MST"), c.ReceiptRetention)
		if p.HeldBy != 0 {
			fmt.Fprintf(e.stdout, "; legal hold %d keeps the rest", p.HeldBy)
		}
		fmt.Fprintln(e.stdout)
		return nil
	case "hold":
		t, err := parseDay(from, "--from", 0)
		if err != nil {
			return err
		}
		h, err := report.PlaceHold(ctx, db, op, t, reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "legal hold %d keeps every receipt from %s on\n", h.ID, h.From.In(report.CST).Format("2006-01-02"))
		return nil
	case "release":
		if len(pos) != 1 {
			return fmt.Errorf("%w: embargo receipts release HOLD-ID", errUsage)
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return fmt.Errorf("%w: %q is not a hold ID", errUsage, pos[0])
		}
		if err := report.ReleaseHold(ctx, db, op, id); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "legal hold %d released\n", id)
		return nil
	}
	holds, err := report.Holds(ctx, db, op)
	if err != nil {
		return err
	}
	for _, h := range holds {
		state := "active"
		if !h.Active() {
			state = "released " + h.ReleasedAt.In(report.CST).Format("2006-01-02")
		}
		fmt.Fprintf(e.stdout, "%d\tfrom %s\t%s\t%s\t%s\n", h.ID, h.From.In(report.CST).Format("2006-01-02"), state, h.CreatedBy, h.Reason)
	}
	return nil
}
