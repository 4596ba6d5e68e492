package identity

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/embargohq/embargo/internal/errs"
)

// Breached is an operator-supplied list of breached passwords (NIST SP
// 800-63B §5.1.1.2: check new passwords against values known to be
// compromised), in one of two forms:
//
//   - SHA-1 hashes, one per line in upper- or lower-case hex, optionally
//     followed by ":count", sorted by hash: the "Pwned Passwords" download
//     of Have I Been Pwned. The file is searched in place (binary search),
//     so tens of gigabytes cost no memory.
//   - Plain passwords, one per line (a list such as the SecLists ones),
//     read into memory and compared without regard to case.
//
// Lines starting with "#" are comments. A Breached is safe for concurrent
// use; the nil Breached holds nothing.
type Breached struct {
	path  string
	plain map[string]bool // plain form
	mu    sync.Mutex      // hashed form: one reader at a time
	f     *os.File
	size  int64
}

// OpenBreached opens the list at path and checks its form: a hashed list
// must be sorted (its first lines are checked; a wrongly sorted file
// would make lookups miss).
func OpenBreached(path string) (*Breached, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	b := &Breached{path: path, f: f, size: st.Size()}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	var prev string
	hashed, n := false, 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		h, ok := hashOf(line)
		if n == 0 {
			hashed = ok
			if !hashed {
				break
			}
		}
		if !ok {
			f.Close()
			return nil, fmt.Errorf("%s line %q: want a SHA-1 hash like the lines before it", path, truncate(line, 50))
		}
		if h < prev {
			f.Close()
			return nil, fmt.Errorf("%s is not sorted by hash (%s after %s): sort it, e.g. with LC_ALL=C sort", path, h[:8], prev[:8])
		}
		prev = h
		if n++; n == 1000 {
			break
		}
	}
	if err := sc.Err(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if hashed || n == 0 && b.size == 0 {
		return b, nil
	}
	// The plain form: read it all.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	defer f.Close()
	b.f, b.plain = nil, map[string]bool{}
	sc = bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if line := strings.TrimRight(sc.Text(), "\r"); line != "" && !strings.HasPrefix(line, "#") {
			b.plain[strings.ToLower(line)] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Len returns the number of plain passwords held, or -1 for a hashed list
// (searched in place, not counted).
func (b *Breached) Len() int {
	if b.plain == nil {
		return -1
	}
	return len(b.plain)
}

// Close closes the file of a hashed list.
func (b *Breached) Close() error {
	if b == nil || b.f == nil {
		return nil
	}
	return b.f.Close()
}

// Contains reports whether pw is on the list.
func (b *Breached) Contains(pw string) (bool, error) {
	switch {
	case b == nil:
		return false, nil
	case b.plain != nil:
		return b.plain[strings.ToLower(pw)], nil
	case b.f == nil:
		return false, nil // an empty file
	}
	sum := sha1.Sum([]byte(pw))
	return b.search(strings.ToUpper(hex.EncodeToString(sum[:])))
}

// search finds the line whose hash is want by bisecting byte offsets. The
// invariant: a line holding want, if any, starts in [lo, hi). At each step
// the first hash line starting at or after the midpoint decides which half
// to keep.
func (b *Breached) search(want string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	lo, hi := int64(0), b.size
	buf := make([]byte, 4096)
	for lo < hi {
		mid := lo + (hi-lo)/2
		_, end, h, err := b.nextHash(mid, lo, hi, buf)
		switch {
		case err != nil:
			return false, err
		case h == "" || h > want:
			hi = mid // no hash line in [mid, hi), or want lies before it
		case h == want:
			return true, nil
		default:
			lo = end // every line up to this one is smaller
		}
	}
	return false, nil
}

// nextHash returns the first hash line starting in [off, hi): its start,
// the offset after its newline, and its hash; h is "" when there is none.
// Blank and comment lines are skipped; any other line is an error.
func (b *Breached) nextHash(off, floor, hi int64, buf []byte) (start, end int64, h string, err error) {
	pos := off
	if off > floor {
		// A line starts at off only if a newline ends the one before.
		if pos, err = b.afterNewline(off-1, buf); err != nil {
			return 0, 0, "", err
		}
	}
	for pos < hi && pos < b.size {
		line, next, err := b.lineAt(pos, buf)
		if err != nil {
			return 0, 0, "", err
		}
		if h, ok := hashOf(line); ok {
			return pos, next, h, nil
		}
		if t := strings.TrimSpace(line); t != "" && !strings.HasPrefix(t, "#") {
			return 0, 0, "", fmt.Errorf("%s: the line at byte %d is not a SHA-1 hash", b.path, pos)
		}
		pos = next
	}
	return 0, 0, "", nil
}

// afterNewline returns the offset just after the first newline at or
// after off, or the file's size.
func (b *Breached) afterNewline(off int64, buf []byte) (int64, error) {
	for off < b.size {
		n, err := b.f.ReadAt(buf, off)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return off + int64(i) + 1, nil
		}
		if n == 0 && err != nil {
			return 0, err
		}
		off += int64(n)
	}
	return b.size, nil
}

// lineAt returns the line starting at off, without its line ending, and
// the offset of the next line.
func (b *Breached) lineAt(off int64, buf []byte) (string, int64, error) {
	var line []byte
	for pos := off; pos < b.size; {
		n, err := b.f.ReadAt(buf, pos)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			line = append(line, buf[:i]...)
			return strings.TrimRight(string(line), "\r"), pos + int64(i) + 1, nil
		}
		if n == 0 && err != nil && !errors.Is(err, io.EOF) {
			return "", 0, err
		}
		line = append(line, buf[:n]...)
		pos += int64(n)
		if len(line) > 1<<16 {
			return "", 0, fmt.Errorf("%s: the line at byte %d is too long", b.path, off)
		}
	}
	return strings.TrimRight(string(line), "\r"), b.size, nil
}

// hashOf returns the upper-case SHA-1 hex at the start of a hashed line
// ("HASH" or "HASH:count").
func hashOf(line string) (string, bool) {
	h, _, _ := strings.Cut(strings.TrimSpace(line), ":")
	if len(h) != 40 {
		return "", false
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", false
	}
	return strings.ToUpper(h), true
}

// Check applies CheckPassword and then the list: a password on it is
// refused with the reason.
func (b *Breached) Check(pw, email string) error {
	if err := CheckPassword(pw, email); err != nil {
		return err
	}
	found, err := b.Contains(pw)
	if err != nil {
		return fmt.Errorf("breached-password list: %w", err)
	}
	if found {
		return errs.Coded(errs.Invalid, "password.breached", "this password has appeared in a data breach; choose another")
	}
	return nil
}
