package main

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/casework"
)

// TestGradeTableSetting loads an organisation's GB/T 30279 grade table
// and refuses a broken one with the file and the reason.
func TestGradeTableSetting(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile("../../internal/severity/gbt30279/default_table.json")
	if err != nil {
		t.Fatal(err)
	}
	own := strings.Replace(string(good), `"provisional": true`, `"provisional": false`, 1)
	if own == string(good) {
		t.Fatal("the default table does not say it is provisional")
	}
	files := map[string]string{"own.json": own, "broken.json": `{"format":"embargo.gbt30279.table/v1"}`}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cases := casework.NewService(nil, nil, "EMB")
	if err := useGradeTable(&Config{GradeTable: filepath.Join(dir, "own.json")}, log, cases); err != nil {
		t.Fatal(err)
	}
	if cases.GradeTable().Provisional() {
		t.Error("the organisation's table is still the provisional one")
	}
	err = useGradeTable(&Config{GradeTable: filepath.Join(dir, "broken.json")}, log, cases)
	if err == nil || !strings.Contains(err.Error(), "broken.json") {
		t.Errorf("broken table: %v", err)
	}
}
