package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// the module version (or "devel") is used.
var version = ""

// env is what a command may touch of the outside world. Nothing else in
// this program reads the environment or writes to the terminal.
type env struct {
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand.
type command struct {
	usage string // arguments after the command name
	help  string // one line
	run   func(ctx context.Context, e *env, args []string) error
}

// commands is filled in init to break the initialization cycle with help.
var commands map[string]command

func init() {
	commands = map[string]command{
		"serve":      {"[flags]", "run the Embargo server", runServe},
		"migrate":    {"[up|status] [flags]", "apply pending database migrations, or list them", runMigrate},
		"config":     {"[flags]", "print the effective configuration, secrets redacted", runConfig},
		"verify":     {"audit [--stream audit|receipt|all] | receipts [flags] | evidence FILE [--public-key KEY]", "check the audit log's hash chains, or a signed evidence pack; exit status 1 names what is broken", runVerify},
		"export":     {"receipts [--from DATE] [--to DATE] [--format csv|json] [--out FILE] | advisory REF --format csaf|cve5|osv|openvex [--lang zh-CN|en] [--out FILE]", "export the receipt log (RMSV Art. 5) with its sealed fields opened, or a published advisory", runExport},
		"receipts":   {"purge [--dry-run] | hold --from DATE --reason TEXT | release ID | holds", "apply the receipt log's retention; manage legal holds", runReceipts},
		"key":        {"rotate [--new-key-file FILE] | evidence-public [--alg ed25519|sm2] [flags] | submitter-secret --org N", "replace the instance key and re-wrap the data keys; print the evidence signing public key; print an organisation's HTTP submitter secret", runKey},
		"advisories": {"import [--progress] PATH...", "store OSV, CVE JSON 5 or CSAF advisories on the local instance; new matches open cases", runAdvisories},
		"products":   {"import|export [--org N] [--format csv|json] [FILE]", "import or export an organisation's product catalogue on the local instance", runProducts},
		"org":        {"create|list|set [flags] [ID]", "manage organisations (tenants), their kinds and country, on the local instance", runOrg},
		"user":       {"create|list|disable|enable|set-password|reset-2fa [flags] EMAIL", "manage accounts on the local instance (bootstrap, recovery)", runUser},
		"token":      {"create|revoke --user EMAIL [flags]", "create or revoke a user's API token on the local instance", runToken},
		"seed":       {"demo [flags]", "fill an empty local instance with a demo organisation, its cases, duties and advisories", runSeed},
		"scan":       {"--advisories PATH... --sbom PATH... [--format json|table]", "match OSV advisories against SBOMs and go.mod files, offline", runScan},
		"csaf":       {"validate [--schema DIR] [--format text|json] FILE...", "check CSAF 2.0 documents against the JSON schema and the mandatory tests of §6.1; exit status 1 if one is invalid", runCSAF},
		"cvss":       {"VECTOR [--json]", "score a CVSS v2, v3.0, v3.1 or v4.0 vector: base, temporal, threat and environmental scores and severities", runCVSS},
		"version":    {"", "print the version", runVersion},
		"help":       {"", "list the commands", runHelp},
	}
}

// errUsage marks an error whose message is a usage hint.
var errUsage = errors.New("usage")

// run is the whole program, given its arguments and surroundings.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	e := &env{getenv: getenv, stdout: stdout, stderr: stderr}
	if len(args) < 2 {
		_ = runHelp(ctx, e, nil)
		return fmt.Errorf("%w: embargo <command>; see the list above", errUsage)
	}
	name := args[1]
	if name == "-h" || name == "--help" || name == "-help" {
		name = "help"
	}
	cmd, ok := commands[name]
	if !ok {
		return fmt.Errorf("%w: unknown command %q; run \"embargo help\"", errUsage, name)
	}
	err := cmd.run(ctx, e, args[2:])
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func runHelp(_ context.Context, e *env, _ []string) error {
	fmt.Fprintln(e.stdout, "Embargo: vulnerability intake, coordination, compliance and disclosure.\n\nUsage: embargo <command> [arguments]\n\nCommands:")
	tw := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(tw, "  %s %s\t%s\n", n, commands[n].usage, commands[n].help)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nRun \"embargo <command> -h\" for a command's flags. Every flag has an EMBARGO_* environment variable.")
	return nil
}

func runVersion(_ context.Context, e *env, _ []string) error {
	fmt.Fprintln(e.stdout, "embargo", buildVersion())
	return nil
}

// buildVersion returns the version stamped at build time, or the module's.
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// subcommand splits args into a subcommand word and the rest, checking
// the word against allowed; def is used when args is empty or starts with
// a flag.
func subcommand(args []string, def string, allowed ...string) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return def, args, nil
	}
	if !slices.Contains(allowed, args[0]) {
		return "", nil, fmt.Errorf("%w: unknown subcommand %q (want one of %s)", errUsage, args[0], strings.Join(allowed, ", "))
	}
	return args[0], args[1:], nil
}
