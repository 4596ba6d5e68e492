package identity

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/embargohq/embargo/internal/errs"
)

// writeHashed writes the SHA-1 list of pws in the Pwned Passwords form,
// sorted, with a comment first and the given line ending.
func writeHashed(t testing.TB, pws []string, eol string) string {
	t.Helper()
	return writeHashedIn(t, t.TempDir(), pws, eol)
}

// writeHashedIn is writeHashed into a new file in dir.
func writeHashedIn(t testing.TB, dir string, pws []string, eol string) string {
	t.Helper()
	var lines []string
	for i, pw := range pws {
		sum := sha1.Sum([]byte(pw))
		lines = append(lines, fmt.Sprintf("%s:%d", strings.ToUpper(hex.EncodeToString(sum[:])), i+1))
	}
	slices.Sort(lines)
	f, err := os.CreateTemp(dir, "pwned-*.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	body := "# Pwned Passwords, test extract" + eol + strings.Join(lines, eol) + eol + eol
	if _, err := f.WriteString(body); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}

func TestBreachedHashed(t *testing.T) {
	var pws []string
	for i := range 5000 {
		pws = append(pws, fmt.Sprintf("correct horse %d battery", i))
	}
	for _, eol := range []string{"\n", "\r\n"} {
		b, err := OpenBreached(writeHashed(t, pws, eol))
		if err != nil {
			t.Fatal(err)
		}
		if b.Len() != -1 {
			t.Errorf("Len = %d, want -1 for a hashed list", b.Len())
		}
		for _, pw := range pws {
			if ok, err := b.Contains(pw); !ok || err != nil {
				t.Fatalf("eol %q: Contains(%q) = %v, %v", eol, pw, ok, err)
			}
		}
		for i := range 2000 {
			pw := fmt.Sprintf("not listed %d", i)
			if ok, err := b.Contains(pw); ok || err != nil {
				t.Fatalf("eol %q: Contains(%q) = %v, %v", eol, pw, ok, err)
			}
		}
		b.Close()
	}
}

func TestBreachedPlainAndErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	b, err := OpenBreached(write("plain.txt", "# from a list\nDragon Fire Wall 2024\r\nqwertyuiopasdf\n"))
	if err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{"dragon fire wall 2024": true, "QWERTYUIOPASDF": true, "qwertyuiopasd": false} {
		if got, _ := b.Contains(pw); got != want {
			t.Errorf("plain Contains(%q) = %v, want %v", pw, got, want)
		}
	}
	if b.Len() != 2 {
		t.Errorf("Len = %d, want 2", b.Len())
	}
	for name, body := range map[string]string{
		"unsorted.txt": "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:1\n0000000000000000000000000000000000000000:1\n",
		"mixed.txt":    "0000000000000000000000000000000000000000:1\nhunter2hunter2\n",
	} {
		if _, err := OpenBreached(write(name, body)); err == nil {
			t.Errorf("%s: opened without error", name)
		}
	}
	if _, err := OpenBreached(filepath.Join(dir, "missing.txt")); err == nil {
		t.Error("a missing file opened")
	}
	// A line that is neither a hash nor a comment, past the lines checked
	// at open, is reported when a search reaches it.
	lines := []string{}
	for i := range 1500 {
		lines = append(lines, fmt.Sprintf("%040X", i))
	}
	lines[1400] = "garbage"
	b, err = OpenBreached(write("late.txt", strings.Join(lines, "\n")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	var sawErr bool
	for i := 1300; i < 1500; i++ {
		if _, err := b.search(fmt.Sprintf("%040X", i)); err != nil {
			sawErr = true
		}
	}
	if !sawErr {
		t.Error("the garbage line was never reported")
	}
}

func TestBreachedCheck(t *testing.T) {
	b, err := OpenBreached(writeHashed(t, []string{"purple monkey dishwasher"}, "\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check("purple monkey dishwasher", "a@example.cn"); code(err) != "password.breached" {
		t.Errorf("breached password: %v", err)
	}
	if err := b.Check("short", "a@example.cn"); code(err) != "password.too_short" {
		t.Errorf("short password: %v", err)
	}
	if err := b.Check("a sound long passphrase", "a@example.cn"); err != nil {
		t.Errorf("good password: %v", err)
	}
	var none *Breached
	if err := none.Check("purple monkey dishwasher", "a@example.cn"); err != nil {
		t.Errorf("no list: %v", err)
	}
}

// FuzzBreached builds a sorted hash list from the fuzzer's passwords and
// checks that each is found and that a password not in it is not.
func FuzzBreached(f *testing.F) {
	f.Add("one\ntwo\nthree", "four")
	f.Add("", "x")
	f.Add("\r\n\n#", "#")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, list, other string) {
		pws := strings.Split(list, "\n")
		if len(pws) > 64 { // a lookup is what is fuzzed, not a big sort
			pws = pws[:64]
		}
		path := writeHashedIn(t, dir, pws, "\n")
		b, err := OpenBreached(path)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		for _, pw := range pws {
			if ok, err := b.Contains(pw); !ok || err != nil {
				t.Fatalf("Contains(%q) = %v, %v", pw, ok, err)
			}
		}
		if ok, _ := b.Contains(other); ok != slices.Contains(pws, other) {
			t.Fatalf("Contains(%q) = %v", other, ok)
		}
	})
}

func code(err error) string {
	c, _ := errs.CodeOf(err)
	return c
}
