package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Error is a record that could not be parsed: File names the file (or
// archive entry), Field the JSON path of the offending field, when known.
type Error struct {
	File  string
	Field string
	Err   error
}

// Error returns "osv: FILE: FIELD: problem".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("osv: ")
	if e.File != "" {
		b.WriteString(e.File + ": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *Error) Unwrap() error { return e.Err }

// recordAlias has Record's fields without its methods, so that wire can
// embed it and shadow the timestamps.
type recordAlias Record

// wire is what a record is decoded into: its timestamps as strings, so that
// a malformed one is reported with its field name.
type wire struct {
	*recordAlias
	Modified  *string `json:"modified"`
	Published *string `json:"published"`
	Withdrawn *string `json:"withdrawn"`
}

// Parse parses one OSV record; file names it in errors. Every error is an
// *Error.
func Parse(file string, data []byte) (*Record, error) {
	r := new(Record)
	w := wire{recordAlias: (*recordAlias)(r)}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		return nil, decodeError(file, data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &Error{File: file, Err: errors.New("data after the record's closing brace")}
	}
	v := validator{file: file}
	r.Modified = v.timestamp("modified", w.Modified, true)
	r.Published = v.timestamp("published", w.Published, false)
	r.Withdrawn = v.timestamp("withdrawn", w.Withdrawn, false)
	v.record(r)
	if v.err != nil {
		return nil, v.err
	}
	compact(r)
	return r, nil
}

// decodeError turns an encoding/json error into an *Error with a field
// name or a line and column.
func decodeError(file string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := position(data, se.Offset)
		return &Error{File: file, Err: fmt.Errorf("line %d, column %d: %s", line, col, strings.TrimPrefix(se.Error(), "json: "))}
	case errors.As(err, &te):
		field := strings.TrimPrefix(te.Field, "recordAlias.")
		return &Error{File: file, Field: field, Err: fmt.Errorf("want a JSON %s, not %s", jsonKind(te.Type), te.Value)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{File: file, Err: errors.New("truncated or empty JSON")}
	}
	return &Error{File: file, Err: errors.New(strings.TrimPrefix(err.Error(), "json: "))}
}

// jsonKind names the JSON kind that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	}
	return "number"
}

// position returns the 1-based line and column of a byte offset.
func position(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// compact normalises the free-form JSON fields, so that a record parses to
// the same value whatever the whitespace of its file.
func compact(r *Record) {
	c := func(m *json.RawMessage) {
		if len(*m) == 0 {
			return
		}
		var b bytes.Buffer
		if json.Compact(&b, *m) == nil {
			*m = b.Bytes()
		}
		if string(*m) == "null" {
			*m = nil
		}
	}
	c(&r.DatabaseSpecific)
	for i := range r.Affected {
		c(&r.Affected[i].EcosystemSpecific)
		c(&r.Affected[i].DatabaseSpecific)
		for j := range r.Affected[i].Ranges {
			c(&r.Affected[i].Ranges[j].DatabaseSpecific)
		}
	}
}

// validator checks a decoded record and keeps the first problem.
type validator struct {
	file string
	err  error
}

func (v *validator) fail(field, format string, args ...any) {
	if v.err == nil {
		v.err = &Error{File: v.file, Field: field, Err: fmt.Errorf(format, args...)}
	}
}

// timestamp parses an RFC 3339 timestamp (the schema asks for UTC with a
// "Z", but offsets are accepted as OSV's own tools accept them).
func (v *validator) timestamp(field string, s *string, required bool) time.Time {
	if s == nil {
		if required {
			v.fail(field, "missing; the record's last modification time is required")
		}
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, *s)
	if err != nil {
		v.fail(field, "%q is not an RFC 3339 timestamp", *s)
	}
	return t
}

var (
	// schemaVersion accepts 1.x and 1.x.y.
	schemaVersion = regexp.MustCompile(`^1\.[0-9]+(\.[0-9]+)?$`)
	// semver is SemVer 2.0.0 without a leading "v".
	semver = regexp.MustCompile(`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$`)
)

var (
	severityTypes  = []string{"CVSS_V2", "CVSS_V3", "CVSS_V4", "Ubuntu"}
	rangeTypes     = []string{"SEMVER", "ECOSYSTEM", "GIT"}
	referenceTypes = []string{"ADVISORY", "ARTICLE", "DETECTION", "DISCUSSION", "REPORT", "FIX", "INTRODUCED", "GIT", "PACKAGE", "EVIDENCE", "WEB"}
	creditTypes    = []string{"FINDER", "REPORTER", "ANALYST", "COORDINATOR", "REMEDIATION_DEVELOPER", "REMEDIATION_REVIEWER", "REMEDIATION_VERIFIER", "TOOL", "SPONSOR", "OTHER"}
)

func (v *validator) record(r *Record) {
	if r.SchemaVersion != "" && !schemaVersion.MatchString(r.SchemaVersion) {
		v.fail("schema_version", "%q is not a 1.x version of the OSV schema", r.SchemaVersion)
	}
	if r.ID == "" {
		v.fail("id", "missing")
	} else if strings.ContainsAny(r.ID, " \t\r\n/\\") {
		v.fail("id", "%q contains a space or a slash", r.ID)
	}
	v.strings("aliases", r.Aliases)
	v.strings("related", r.Related)
	v.strings("upstream", r.Upstream)
	v.severities("severity", r.Severity)
	for i, a := range r.Affected {
		v.affected(fmt.Sprintf("affected[%d]", i), a)
	}
	for i, ref := range r.References {
		f := fmt.Sprintf("references[%d]", i)
		v.oneOf(f+".type", ref.Type, referenceTypes)
		if ref.URL == "" {
			v.fail(f+".url", "missing")
		}
	}
	for i, c := range r.Credits {
		f := fmt.Sprintf("credits[%d]", i)
		if c.Name == "" {
			v.fail(f+".name", "missing")
		}
		if c.Type != "" {
			v.oneOf(f+".type", c.Type, creditTypes)
		}
	}
}

func (v *validator) strings(field string, list []string) {
	for i, s := range list {
		if s == "" {
			v.fail(fmt.Sprintf("%s[%d]", field, i), "empty")
		}
	}
}

func (v *validator) oneOf(field, s string, allowed []string) {
	if !slices.Contains(allowed, s) {
		v.fail(field, "%q is not one of %s", s, strings.Join(allowed, ", "))
	}
}

func (v *validator) severities(field string, list []Severity) {
	for i, s := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		v.oneOf(f+".type", s.Type, severityTypes)
		if s.Score == "" {
			v.fail(f+".score", "missing")
		}
	}
}

func (v *validator) affected(field string, a Affected) {
	p := a.Package
	switch {
	case p == Package{}:
		if len(a.Ranges) == 0 || slices.ContainsFunc(a.Ranges, func(r Range) bool { return r.Type != "GIT" }) {
			v.fail(field+".package", "missing; only an entry of GIT ranges may omit it")
		}
	case p.Ecosystem == "":
		v.fail(field+".package.ecosystem", "missing")
	case p.Name == "":
		v.fail(field+".package.name", "missing")
	case p.Purl != "" && !strings.HasPrefix(p.Purl, "pkg:"):
		v.fail(field+".package.purl", "%q is not a package URL", p.Purl)
	}
	v.severities(field+".severity", a.Severity)
	v.strings(field+".versions", a.Versions)
	for i, r := range a.Ranges {
		v.rangeOf(fmt.Sprintf("%s.ranges[%d]", field, i), r)
	}
}

func (v *validator) rangeOf(field string, r Range) {
	v.oneOf(field+".type", r.Type, rangeTypes)
	if r.Type == "GIT" && r.Repo == "" {
		v.fail(field+".repo", "missing; a GIT range needs its repository")
	}
	if len(r.Events) == 0 {
		v.fail(field+".events", "empty")
	}
	var introduced, fixed, last bool
	for i, e := range r.Events {
		f := fmt.Sprintf("%s.events[%d]", field, i)
		var set []string
		for _, kv := range [][2]string{{"introduced", e.Introduced}, {"fixed", e.Fixed}, {"last_affected", e.LastAffected}, {"limit", e.Limit}} {
			if kv[1] != "" {
				set = append(set, kv[0])
				if r.Type == "SEMVER" && !(kv[0] == "introduced" && kv[1] == "0") && !semver.MatchString(kv[1]) {
					v.fail(f+"."+kv[0], "%q is not a SemVer 2.0 version (without a leading \"v\")", kv[1])
				}
			}
		}
		if len(set) != 1 {
			v.fail(f, "want exactly one of introduced, fixed, last_affected, limit, not %d", len(set))
		}
		introduced = introduced || e.Introduced != ""
		fixed = fixed || e.Fixed != ""
		last = last || e.LastAffected != ""
	}
	if len(r.Events) > 0 && !introduced {
		v.fail(field+".events", "no introduced event")
	}
	if fixed && last {
		v.fail(field+".events", "both fixed and last_affected events; a range may have one kind or the other")
	}
}
