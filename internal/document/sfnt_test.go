package document

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// table is one table of a synthetic font.
type table struct {
	tag  string
	data []byte
}

// trueTypeTables are the tables of a small synthetic TrueType font: enough
// for the directory checks, not for drawing.
func trueTypeTables(seed byte) []table {
	head := make([]byte, 54)
	head[0], head[53] = 0, seed
	return []table{
		{"glyf", []byte{seed, 1, 2, 3, 4}},
		{"head", head},
		{"loca", []byte{0, 0, 0, 5}},
		{"name", []byte("synthetic")},
	}
}

// sfntFile lays out fonts as an sfnt file: one standalone font with the
// given version tag, or, when collection is true, a TrueType collection of
// them. Table offsets count from the start of the file, as in real files.
func sfntFile(version uint32, collection bool, fonts ...[]table) []byte {
	var header []byte
	pos := 0
	if collection {
		header = binary.BigEndian.AppendUint32(nil, tagCollection)
		header = binary.BigEndian.AppendUint32(header, 0x00010000)
		header = binary.BigEndian.AppendUint32(header, uint32(len(fonts)))
		pos = 12 + 4*len(fonts)
	}
	dirs := make([]int, len(fonts))
	for i, f := range fonts {
		dirs[i] = pos
		pos += 12 + 16*len(f)
	}
	out := make([]byte, pos)
	copy(out, header)
	for i, f := range fonts {
		if collection {
			binary.BigEndian.PutUint32(out[12+4*i:], uint32(dirs[i]))
		}
		d := out[dirs[i]:]
		binary.BigEndian.PutUint32(d, version)
		binary.BigEndian.PutUint16(d[4:], uint16(len(f)))
		for j, t := range f {
			r := d[12+16*j:]
			copy(r, t.tag)
			binary.BigEndian.PutUint32(r[4:], checksum(t.data))
			binary.BigEndian.PutUint32(r[8:], uint32(len(out)))
			binary.BigEndian.PutUint32(r[12:], uint32(len(t.data)))
			out = append(out, t.data...)
			for len(out)%4 != 0 {
				out = append(out, 0)
			}
			d = out[dirs[i]:] // append may have moved out
		}
	}
	return out
}

// tablesOf reads back the tables of the standalone font in data.
func tablesOf(t testing.TB, data []byte) map[string][]byte {
	t.Helper()
	records, err := readDirectory(data, 0)
	if err != nil {
		t.Fatalf("read back: %v", err)
	}
	out := map[string][]byte{}
	for _, r := range records {
		out[string(r.tag[:])] = data[r.offset : r.offset+r.length]
	}
	return out
}

func tableMap(tables []table) map[string][]byte {
	out := map[string][]byte{}
	for _, t := range tables {
		out[t.tag] = t.data
	}
	return out
}

func TestFirstFontErrors(t *testing.T) {
	ttf := sfntFile(tagTrueType, false, trueTypeTables(1))
	cff := []table{{"CFF ", []byte{1, 0, 4, 1}}, {"head", make([]byte, 54)}}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, errNotSfnt},
		{"text", []byte("hello, world"), errNotSfnt},
		{"CFF font", sfntFile(tagCFF, false, cff), errCFF},
		{"CFF outlines under a TrueType tag", sfntFile(tagTrueType, false, cff), errCFF},
		{"CFF collection", sfntFile(tagCFF, true, cff, cff), errCFF},
		{"no glyf table", sfntFile(tagTrueType, false, trueTypeTables(1)[1:]), errNotSfnt},
		{"no tables", sfntFile(tagTrueType, false, nil), errNotSfnt},
		{"truncated directory", ttf[:40], errNotSfnt},
		{"table past the end", ttf[:len(ttf)-8], errNotSfnt},
		{"collection with no fonts", sfntFile(tagTrueType, true), errNotSfnt},
		{"collection member past the end", func() []byte {
			b := sfntFile(tagTrueType, true, trueTypeTables(1))
			binary.BigEndian.PutUint32(b[12:], uint32(len(b)))
			return b
		}(), errNotSfnt},
		{"overlapping tables", func() []byte {
			b := bytes.Clone(ttf)
			for i := range 4 { // every table spans the whole file
				binary.BigEndian.PutUint32(b[12+16*i+8:], 0)
				binary.BigEndian.PutUint32(b[12+16*i+12:], uint32(len(b)))
			}
			return b
		}(), errNotSfnt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := firstFont(tc.data)
			if !errors.Is(err, tc.want) {
				t.Errorf("firstFont: got error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFirstFontStandaloneUnchanged(t *testing.T) {
	ttf := sfntFile(tagTrueType, false, trueTypeTables(1))
	got, err := firstFont(ttf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, ttf) {
		t.Error("a standalone TrueType font came back changed")
	}
}

func TestFirstFontCollection(t *testing.T) {
	first, second := trueTypeTables(1), trueTypeTables(2)
	got, err := firstFont(sfntFile(tagTrueType, true, first, second))
	if err != nil {
		t.Fatal(err)
	}
	tables := tablesOf(t, got)
	// The one byte range that may change is head.checkSumAdjustment,
	// checked below against the whole file.
	tables["head"] = bytes.Clone(tables["head"])
	copy(tables["head"][8:12], make([]byte, 4))
	if diff := cmp.Diff(tableMap(first), tables); diff != "" {
		t.Errorf("extracted tables (-want +got):\n%s", diff)
	}
	checkChecksums(t, got)
	again, err := firstFont(got)
	if err != nil || !bytes.Equal(again, got) {
		t.Errorf("the extracted font is not a standalone font (error %v)", err)
	}
}

// checkChecksums checks each table's checksum in the directory of the
// standalone font in data (head's counting its checkSumAdjustment as zero)
// and the whole-file checksum that checkSumAdjustment promises.
func checkChecksums(t *testing.T, data []byte) {
	t.Helper()
	records, err := readDirectory(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		table := bytes.Clone(data[r.offset : r.offset+r.length])
		if string(r.tag[:]) == "head" {
			copy(table[8:12], make([]byte, 4))
		}
		if sum := checksum(table); sum != r.checksum {
			t.Errorf("table %q: checksum %#x, the directory says %#x", r.tag[:], sum, r.checksum)
		}
	}
	if sum := checksum(data); sum != 0xB1B0AFBA {
		t.Errorf("whole-font checksum %#x, want 0xB1B0AFBA (head.checkSumAdjustment is wrong)", sum)
	}
}

func TestSearchParams(t *testing.T) {
	type params struct{ SearchRange, EntrySelector uint16 }
	got := map[int]params{}
	for _, n := range []int{1, 2, 3, 4, 15, 16, 17} {
		sr, es := searchParams(n)
		got[n] = params{sr, es}
	}
	// OpenType spec: searchRange = 16 × 2^floor(log2 n), entrySelector = floor(log2 n).
	want := map[int]params{1: {16, 0}, 2: {32, 1}, 3: {32, 1}, 4: {64, 2}, 15: {128, 3}, 16: {256, 4}, 17: {256, 4}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("searchParams (-want +got):\n%s", diff)
	}
}

// FuzzFirstFont feeds arbitrary bytes to the collection extractor, which
// reads font files named by configuration. It must not panic, and whatever
// it returns must be a standalone font whose tables it can read back and
// that it returns unchanged.
func FuzzFirstFont(f *testing.F) {
	f.Add(sfntFile(tagTrueType, false, trueTypeTables(1)))
	f.Add(sfntFile(tagTrueType, true, trueTypeTables(1), trueTypeTables(2)))
	f.Add(sfntFile(tagCFF, true, trueTypeTables(1)))
	f.Add([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := firstFont(data)
		if err != nil {
			return
		}
		if len(out) > 3*len(data)+64 {
			t.Fatalf("%d bytes in, %d out", len(data), len(out))
		}
		tablesOf(t, out)
		again, err := firstFont(out)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("the result is not a standalone font (error %v)", err)
		}
	})
}
