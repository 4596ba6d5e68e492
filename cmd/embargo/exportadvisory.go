package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/embargohq/embargo/internal/access"
	"github.com/embargohq/embargo/internal/advisory"
	"github.com/embargohq/embargo/internal/casework"
)

const exportAdvisoryUsage = "embargo export advisory REF --format csaf|cve5|osv|openvex [--lang zh-CN|en] [--out FILE]"

// runExportAdvisory implements `embargo export advisory REF`: the
// published advisory REF (EMB-2026-0001-SA, or its case's ref) of the
// local instance in one of advisory.ExportFormats, read as the operator
// (a restricted advisory's read is audited). The publisher is the
// organisation; CSAF and OpenVEX need the instance's URL (--base-url),
// CVE JSON the CNA's organisation UUID (--cve-org-id).
func runExportAdvisory(ctx context.Context, e *env, args []string) error {
	var ref string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		ref, args = args[0], args[1:]
	}
	var format, lang, out string
	c, rest, err := parseConfig(e, "export advisory", args, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "", "csaf, cve5, osv or openvex")
		fs.StringVar(&lang, "lang", "", "language of a CSAF (default zh-CN) or OpenVEX (default en) document: zh-CN or en")
		fs.StringVar(&out, "out", "", "file to write (default: standard output)")
	})
	if err != nil {
		return err
	}
	if ref == "" && len(rest) == 1 {
		ref, rest = rest[0], nil
	}
	if ref == "" || len(rest) > 0 {
		return fmt.Errorf("%w: %s", errUsage, exportAdvisoryUsage)
	}
	if !slices.Contains(advisory.ExportFormats, format) {
		return fmt.Errorf("%w: --format %q: want csaf, cve5, osv or openvex", errUsage, format)
	}
	if lang != "" && lang != "zh-CN" && lang != "en" {
		return fmt.Errorf("%w: --lang %q: want zh-CN or en", errUsage, lang)
	}
	opt := advisory.ExportOptions{Lang: lang, Namespace: strings.TrimSuffix(c.BaseURL, "/"), CNA: advisory.CNAInfo{OrgID: c.CVEOrgID}}
	if opt.Namespace == "" && (format == "csaf" || format == "openvex") {
		return fmt.Errorf("%w: %s needs this instance's public URL as the publisher's namespace: give --base-url (EMBARGO_BASE_URL)", errUsage, format)
	}
	b, err := exportAdvisory(ctx, c, e, ref, format, opt)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = e.stdout.Write(b)
		return err
	}
	if err := writeNew(out, b); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", out, len(b))
	return nil
}

// exportAdvisory reads advisory ref (or the advisory of case ref) from
// the local instance and writes it in format.
func exportAdvisory(ctx context.Context, c *Config, e *env, ref, format string, opt advisory.ExportOptions) ([]byte, error) {
	if !strings.HasSuffix(ref, "-SA") {
		ref += "-SA" // a case's advisory is the case's ref and -SA
	}
	db, kr, err := openInstance(ctx, c, e)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	svc := advisory.NewService(db, casework.NewService(db, kr, "EMB"), kr)
	pub, err := svc.Published(ctx, access.Operator(), ref)
	if err != nil {
		return nil, err
	}
	return advisory.Export(pub, format, opt)
}

// writeNew writes b to a file that must not exist yet.
func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
