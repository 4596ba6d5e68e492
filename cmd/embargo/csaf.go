package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/embargohq/embargo/internal/format/csaf"
	"github.com/embargohq/embargo/internal/format/csaf/validate"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// csafUsage is the usage line of `embargo csaf`.
const csafUsage = "embargo csaf validate [--schema DIR] [--format text|json] FILE..."

// runCSAF implements `embargo csaf validate FILE...`: it checks CSAF 2.0
// documents against the CSAF JSON schema (from --schema DIR, or
// $EMBARGO_CSAF_SCHEMA) and with the mandatory tests of §6.1, prints each
// failed test per file, and fails when a document is invalid.
func runCSAF(_ context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "validate" {
		return fmt.Errorf("%w: %s", errUsage, csafUsage)
	}
	fs := flag.NewFlagSet("embargo csaf validate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	schemaDir := fs.String("schema", e.getenv("EMBARGO_CSAF_SCHEMA"), "directory holding the CSAF 2.0 JSON schema csaf_json_schema.json (OASIS, not shipped; also $EMBARGO_CSAF_SCHEMA)")
	format := fs.String("format", "text", "output format: text or json")
	files, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if len(files) == 0 || (*format != "text" && *format != "json") {
		return fmt.Errorf("%w: %s", errUsage, csafUsage)
	}
	var schema *jsonschema.Schema
	if *schemaDir != "" {
		if schema, err = validate.LoadSchema(*schemaDir); err != nil {
			return fmt.Errorf("--schema %s: %w", *schemaDir, err)
		}
	} else {
		fmt.Fprintln(e.stderr, "embargo csaf validate: no CSAF 2.0 JSON schema given (--schema DIR or $EMBARGO_CSAF_SCHEMA, the directory of csaf_json_schema.json); the schema is NOT checked, only the §6.1 mandatory tests")
	}
	results := make([]csafResult, 0, len(files))
	invalid := 0
	for _, f := range files {
		r := validateCSAFFile(f, schema)
		if !r.Valid {
			invalid++
		}
		results = append(results, r)
	}
	if *format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(csafReport{SchemaChecked: schema != nil, Files: results}); err != nil {
			return err
		}
	} else {
		printCSAFResults(e.stdout, results)
	}
	if invalid > 0 {
		return fmt.Errorf("%d of %d CSAF documents invalid", invalid, len(files))
	}
	return nil
}

// csafReport is the JSON output of `embargo csaf validate --format json`.
type csafReport struct {
	SchemaChecked bool         `json:"schema_checked"`
	Files         []csafResult `json:"files"`
}

// csafResult is the verdict on one file.
type csafResult struct {
	File  string `json:"file"`
	Valid bool   `json:"valid"`
	// Error is set when the file could not be read or is not JSON.
	Error      string               `json:"error,omitempty"`
	Failed     []string             `json:"failed_tests,omitempty"`
	Violations []validate.Violation `json:"violations,omitempty"`
}

// validateCSAFFile reads and validates one file.
func validateCSAFFile(name string, schema *jsonschema.Schema) csafResult {
	r := csafResult{File: name}
	b, err := readLimited(name, csaf.MaxDocumentSize)
	if err == nil {
		r.Violations, err = validate.Validate(b, schema)
	}
	if err != nil {
		r.Error = err.Error()
		return r
	}
	r.Failed = validate.Failed(r.Violations)
	r.Valid = len(r.Violations) == 0
	return r
}

// readLimited reads a file of at most max bytes.
func readLimited(name string, max int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, errors.New("larger than " + fmt.Sprint(max>>20) + " MiB")
	}
	return b, nil
}

// printCSAFResults prints one line a violation, "file: 6.1.3 (title):
// path: message", or "file: valid".
func printCSAFResults(w io.Writer, results []csafResult) {
	for _, r := range results {
		name := filepath.ToSlash(r.File)
		switch {
		case r.Error != "":
			fmt.Fprintf(w, "%s: %s\n", name, r.Error)
		case r.Valid:
			fmt.Fprintf(w, "%s: valid\n", name)
		default:
			for _, v := range r.Violations {
				fmt.Fprintf(w, "%s: %s\n", name, v)
			}
		}
	}
}
