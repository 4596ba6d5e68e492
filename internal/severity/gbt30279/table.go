package gbt30279

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/embargohq/embargo/internal/errs"
)

// TableFormat is the value of the "format" member that every grading table
// file must carry; a later, incompatible layout gets a new value.
const TableFormat = "embargo.gbt30279.table/v1"

// MaxTableSize bounds a table file. The complete default table is about
// 15 KB; the bound keeps a hostile upload from exhausting memory.
const MaxTableSize = 1 << 20

//go:embed default_table.json
var defaultTableJSON []byte

var loadDefault = sync.OnceValues(func() (*Table, error) {
	return LoadTable(bytes.NewReader(defaultTableJSON))
})

// DefaultTable returns the grading table shipped with Embargo. It is
// provisional: designed by the Embargo authors from the structure of
// GB/T 30279-2020 and not transcribed from its Annex tables, which are
// not public (see docs/severity.md for its rules). Organisations
// holding the official text should load their own table with LoadTable.
// The table is immutable and shared.
func DefaultTable() *Table {
	t, err := loadDefault()
	if err != nil {
		// The embedded file is checked by the package's tests.
		panic("gbt30279: embedded default table: " + err.Error())
	}
	return t
}

// Table is a complete, validated set of the lookups of GB/T 30279-2020
// Annexes A to E. It is immutable and safe for concurrent use.
type Table struct {
	name        string
	provisional bool
	note        string
	sum         string

	exploitability map[exploitKey]Level
	impact         map[impactKey]Level
	technical      map[technicalKey]Grade
	environment    map[environmentKey]Level
	comprehensive  map[comprehensiveKey]Grade
}

// Name returns the table's name as its file gives it.
func (t *Table) Name() string { return t.name }

// Provisional reports whether the table's file declares itself provisional,
// that is, not transcribed from the official Annex tables.
func (t *Table) Provisional() bool { return t.provisional }

// Note returns the file's note on the table's origin.
func (t *Table) Note() string { return t.note }

// SHA256 returns the lowercase hex SHA-256 of the table file exactly as
// loaded, so that a grade can record which table produced it and anyone
// can check a file with sha256sum.
func (t *Table) SHA256() string { return t.sum }

// Result is a graded assessment: the intermediate levels, the technical
// grade and, when the environment indicators were given, the environment
// level and the comprehensive grade, with the table that produced them.
type Result struct {
	Exploitability Level  `json:"exploitability_level"`
	Impact         Level  `json:"impact_level"`
	Technical      Grade  `json:"technical_grade"`
	Environment    Level  `json:"environment_level,omitempty"`
	Comprehensive  Grade  `json:"comprehensive_grade,omitempty"`
	TableSHA256    string `json:"table_sha256"`
	Provisional    bool   `json:"provisional"`
}

// Grade grades in by the table: the exploitability level (Annex A) and the
// impact level (Annex B) give the technical grade (Annex D); when any
// environment indicator is set, all three must be, and the environment
// level (Annex C) with the technical grade gives the comprehensive grade
// (Annex E). It returns an errs.Invalid error naming the first missing or
// invalid indicator.
func (t *Table) Grade(in Indicators) (Result, error) {
	if err := in.ValidateTechnical(); err != nil {
		return Result{}, err
	}
	r := Result{TableSHA256: t.sum, Provisional: t.provisional}
	r.Exploitability = t.exploitability[exploitKey{in.AccessPath, in.Trigger, in.Privileges, in.Interaction}]
	r.Impact = t.impact[impactKey{in.Confidentiality, in.Integrity, in.Availability}]
	r.Technical = t.technical[technicalKey{r.Exploitability, r.Impact}]
	if !in.HasEnvironment() {
		return r, nil
	}
	if err := in.ValidateEnvironment(); err != nil {
		return Result{}, err
	}
	r.Environment = t.environment[environmentKey{in.ExploitationCost, in.FixDifficulty, in.ImpactScope}]
	r.Comprehensive = t.comprehensive[comprehensiveKey{r.Technical, r.Environment}]
	return r, nil
}

// LoadTable reads and validates a grading table file (JSON; the format is
// described in docs/severity.md). It is strict: unknown members,
// trailing data, unknown values, duplicate rows and any combination left
// without a row are refused. Errors are errs.Invalid, and say which
// section and row is wrong or which combination is missing.
func LoadTable(r io.Reader) (*Table, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxTableSize+1))
	if err != nil {
		return nil, fmt.Errorf("gbt30279: read table: %w", err)
	}
	if len(raw) > MaxTableSize {
		return nil, tableError("the file is larger than %d bytes", MaxTableSize)
	}
	f, err := decodeTable(raw)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	t := &Table{name: f.Name, provisional: *f.Provisional, note: f.Note, sum: hex.EncodeToString(sum[:])}
	if t.exploitability, err = buildSection(sectionExploitability, "level", f.Exploitability, allExploitKeys()); err != nil {
		return nil, err
	}
	if t.impact, err = buildSection(sectionImpact, "level", f.Impact, allImpactKeys()); err != nil {
		return nil, err
	}
	if t.technical, err = buildSection(sectionTechnical, "grade", f.Technical, allTechnicalKeys()); err != nil {
		return nil, err
	}
	if t.environment, err = buildSection(sectionEnvironment, "level", f.Environment, allEnvironmentKeys()); err != nil {
		return nil, err
	}
	if t.comprehensive, err = buildSection(sectionComprehensive, "grade", f.Comprehensive, allComprehensiveKeys()); err != nil {
		return nil, err
	}
	return t, nil
}

// tableFile is the JSON layout of a table file.
type tableFile struct {
	Format         string             `json:"format"`
	Name           string             `json:"name"`
	Provisional    *bool              `json:"provisional"`
	Note           string             `json:"note"`
	Exploitability []exploitRow       `json:"exploitability"`
	Impact         []impactRow        `json:"impact"`
	Technical      []technicalRow     `json:"technical"`
	Environment    []environmentRow   `json:"environment"`
	Comprehensive  []comprehensiveRow `json:"comprehensive"`
}

const (
	sectionExploitability = "exploitability"
	sectionImpact         = "impact"
	sectionTechnical      = "technical"
	sectionEnvironment    = "environment"
	sectionComprehensive  = "comprehensive"
)

func decodeTable(raw []byte) (*tableFile, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f tableFile
	if err := dec.Decode(&f); err != nil {
		return nil, tableError("not a JSON table file: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, tableError("unexpected data after the table")
	}
	switch {
	case f.Format != TableFormat:
		return nil, tableError("format is %q, want %q", f.Format, TableFormat)
	case f.Name == "":
		return nil, tableError("the table has no name")
	case f.Provisional == nil:
		return nil, tableError(`the table must say whether it is provisional ("provisional": true or false)`)
	case *f.Provisional && f.Note == "":
		return nil, tableError("a provisional table needs a note on its origin")
	}
	return &f, nil
}

// tableError returns the errs.Invalid error for a bad table file; the
// detail names the section, row or combination.
func tableError(format string, args ...any) error {
	return errs.Coded(errs.Invalid, "gbt30279.table", "The grading table is invalid: %s.", fmt.Sprintf(format, args...))
}

// key is a lookup key of a table section: it checks its own values and
// describes itself for error messages.
type key interface {
	comparable
	check() error
	String() string
}

// result is the value column of a table section.
type result interface {
	~string
	Valid() bool
}

// row is one row of a section: its key and its value.
type row[K key, V result] interface {
	parts() (K, V)
}

// buildSection validates the rows of one section and returns its lookup
// map, refusing invalid values, duplicate keys and keys in all with no row.
func buildSection[R row[K, V], K key, V result](section, column string, rows []R, all []K) (map[K]V, error) {
	m := make(map[K]V, len(rows))
	for i, r := range rows {
		k, v := r.parts()
		if err := k.check(); err != nil {
			return nil, tableError("%s row %d: %v", section, i+1, err)
		}
		if !v.Valid() {
			return nil, tableError("%s row %d (%s): %s %q is not valid", section, i+1, k, column, v)
		}
		if _, dup := m[k]; dup {
			return nil, tableError("%s row %d: a second row for %s", section, i+1, k)
		}
		m[k] = v
	}
	for _, k := range all {
		if _, ok := m[k]; !ok {
			return nil, tableError("%s: no row for %s", section, k)
		}
	}
	return m, nil
}

// checkValue returns an error naming field when v is not one of cs.
func checkValue[T ~string](field string, v T, cs choices[T]) error {
	if cs.has(v) {
		return nil
	}
	return fmt.Errorf("%s %q is not one of %s", field, v, cs.list())
}
