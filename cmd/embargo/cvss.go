package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/embargohq/embargo/internal/errs"
	"github.com/embargohq/embargo/internal/severity/cvss"
)

// runCVSS implements `embargo cvss VECTOR [--json]`: it scores a CVSS v2,
// v3.0, v3.1 or v4.0 vector and prints its base score and severity, and its
// temporal, threat and environmental scores where the vector has them.
func runCVSS(_ context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("embargo cvss", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print a JSON object instead of text")
	vectors, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(vectors) != 1 {
		return fmt.Errorf("%w: embargo cvss VECTOR [--json], such as embargo cvss CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", errUsage)
	}
	v, err := cvss.Parse(vectors[0])
	if err != nil {
		return fmt.Errorf("not a valid CVSS vector: %s", errs.Message(err))
	}
	s := v.Score()
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	printScores(e, s)
	return nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// printScores prints one line a score: "CVSS:3.1  base 9.8 Critical".
func printScores(e *env, s cvss.Scores) {
	label := func(name, nomenclature string) string {
		if s.Version == cvss.V40 {
			return name + " (" + nomenclature + ")"
		}
		return name
	}
	first := s.Version.String()
	line := func(name string, score float64, sev cvss.Severity) {
		fmt.Fprintf(e.stdout, "%-10s%s %.1f %s\n", first, name, score, sev)
		first = ""
	}
	line(label("base", "CVSS-B"), s.Base, s.BaseSeverity)
	if s.Temporal != nil {
		line("temporal", *s.Temporal, s.TemporalSeverity)
	}
	if s.Threat != nil {
		line(label("threat", "CVSS-BT"), *s.Threat, s.ThreatSeverity)
	}
	if s.Environmental != nil {
		line(label("environmental", s.Nomenclature), *s.Environmental, s.EnvironmentalSeverity)
	}
}
