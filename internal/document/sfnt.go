package document

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The outline formats an sfnt font file can announce in its first four bytes
// (OpenType spec, "Organization of an OpenType font":
// https://learn.microsoft.com/en-us/typography/opentype/spec/otff#organization-of-an-opentype-font).
const (
	tagTrueType   = 0x00010000 // TrueType outlines in a glyf table
	tagCFF        = 0x4F54544F // "OTTO": PostScript (CFF) outlines
	tagCollection = 0x74746366 // "ttcf": a TrueType/OpenType collection
)

// maxTables bounds the table directory; real fonts have about 10 to 30
// tables, and the bound keeps a corrupt count from driving a huge allocation.
const maxTables = 256

// errNotSfnt and errCFF are the two ways a file can fail to be a TrueType
// font; LoadFont turns them into messages that name the file and the fix.
var (
	errNotSfnt = errors.New("not a TrueType or OpenType font file")
	errCFF     = errors.New("PostScript (CFF) outlines")
)

// tableRecord is one entry of an sfnt table directory. Offsets are from the
// start of the file, which for a collection member is the collection.
type tableRecord struct {
	tag      [4]byte
	checksum uint32
	offset   uint32
	length   uint32
}

// firstFont returns a standalone TrueType font: data itself when it is one,
// or the first member of a collection (.ttc) rewritten as a standalone file,
// since gopdf reads neither collections nor CFF outlines. Returns an error
// wrapping errCFF for PostScript-outline fonts (such as Noto CJK) and
// errNotSfnt for anything else it cannot read.
func firstFont(data []byte) ([]byte, error) {
	tag, ok := u32(data, 0)
	if !ok {
		return nil, errNotSfnt
	}
	switch tag {
	case tagTrueType:
		if _, err := readDirectory(data, 0); err != nil {
			return nil, err
		}
		return data, nil
	case tagCFF:
		return nil, errCFF
	case tagCollection:
		return extractFirst(data)
	}
	return nil, errNotSfnt
}

// extractFirst rewrites the first font of a collection (OpenType spec, "Font
// Collections": the header is the tag, a version, numFonts and an offset per
// font) as a standalone font file.
func extractFirst(data []byte) ([]byte, error) {
	numFonts, _ := u32(data, 8)
	off, ok := u32(data, 12)
	if !ok || numFonts == 0 {
		return nil, fmt.Errorf("%w: a font collection with no fonts", errNotSfnt)
	}
	tag, ok := u32(data, int(off))
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: collection member outside the file", errNotSfnt)
	case tag == tagCFF:
		return nil, fmt.Errorf("%w in a font collection", errCFF)
	case tag != tagTrueType:
		return nil, fmt.Errorf("%w: unknown collection member", errNotSfnt)
	}
	records, err := readDirectory(data, int(off))
	if err != nil {
		return nil, err
	}
	return writeFont(data, records), nil
}

// readDirectory reads the table directory of the font whose header starts
// at off, checking that every table lies inside data and that the glyf and
// loca tables of TrueType outlines are present (a font can announce
// TrueType and still carry only CFF outlines).
func readDirectory(data []byte, off int) ([]tableRecord, error) {
	n, ok := u16(data, off+4)
	if !ok || n == 0 || n > maxTables || len(data)-off-12 < int(n)*16 {
		return nil, fmt.Errorf("%w: bad table directory", errNotSfnt)
	}
	records := make([]tableRecord, n)
	seen := map[string]bool{}
	var total uint64
	for i := range records {
		p := off + 12 + 16*i
		r := &records[i]
		copy(r.tag[:], data[p:p+4])
		r.checksum = binary.BigEndian.Uint32(data[p+4:])
		r.offset = binary.BigEndian.Uint32(data[p+8:])
		r.length = binary.BigEndian.Uint32(data[p+12:])
		if uint64(r.offset)+uint64(r.length) > uint64(len(data)) {
			return nil, fmt.Errorf("%w: table %q outside the file", errNotSfnt, r.tag[:])
		}
		seen[string(r.tag[:])] = true
		total += uint64(r.length)
	}
	if total > uint64(len(data)) {
		// One font's tables do not overlap, so they cannot add up to more
		// than the file; this keeps writeFont from copying one region
		// hundreds of times.
		return nil, fmt.Errorf("%w: tables overlap", errNotSfnt)
	}
	if !seen["glyf"] || !seen["loca"] {
		if seen["CFF "] || seen["CFF2"] {
			return nil, errCFF
		}
		return nil, fmt.Errorf("%w: no glyf outlines", errNotSfnt)
	}
	return records, nil
}

// writeFont lays the tables out again as one standalone font, each table
// 4-byte aligned as the spec requires. Table checksums cover the table
// bytes only and do not change, but for head's: collections leave
// head.checkSumAdjustment meaningless, so writeFont recomputes it for the
// new file (and with it head's checksum, which counts it as zero).
func writeFont(src []byte, records []tableRecord) []byte {
	n := len(records)
	size := 12 + 16*n
	for _, r := range records {
		size += pad4(int(r.length))
	}
	out := make([]byte, size)
	binary.BigEndian.PutUint32(out, tagTrueType)
	binary.BigEndian.PutUint16(out[4:], uint16(n))
	sr, es := searchParams(n)
	binary.BigEndian.PutUint16(out[6:], sr)
	binary.BigEndian.PutUint16(out[8:], es)
	binary.BigEndian.PutUint16(out[10:], uint16(16*n)-sr)
	pos := 12 + 16*n
	head, headRec := -1, 0
	for i, r := range records {
		p := 12 + 16*i
		copy(out[p:], r.tag[:])
		binary.BigEndian.PutUint32(out[p+4:], r.checksum)
		binary.BigEndian.PutUint32(out[p+8:], uint32(pos))
		binary.BigEndian.PutUint32(out[p+12:], r.length)
		copy(out[pos:], src[r.offset:r.offset+r.length])
		if string(r.tag[:]) == "head" && r.length >= 12 {
			head, headRec = pos, p
		}
		pos += pad4(int(r.length))
	}
	if head >= 0 {
		length := int(binary.BigEndian.Uint32(out[headRec+12:]))
		binary.BigEndian.PutUint32(out[head+8:], 0)
		binary.BigEndian.PutUint32(out[headRec+4:], checksum(out[head:head+length]))
		binary.BigEndian.PutUint32(out[head+8:], 0xB1B0AFBA-checksum(out))
	}
	return out
}

// searchParams returns the directory's searchRange and entrySelector:
// 16 × the largest power of two ≤ n, and that power's log2.
func searchParams(n int) (searchRange, entrySelector uint16) {
	p := 1
	for p*2 <= n {
		p *= 2
		entrySelector++
	}
	return uint16(16 * p), entrySelector
}

// checksum sums data as big-endian uint32 words, the last one zero-padded.
func checksum(data []byte) uint32 {
	var sum uint32
	for i := 0; i < len(data); i += 4 {
		var w [4]byte
		copy(w[:], data[i:])
		sum += binary.BigEndian.Uint32(w[:])
	}
	return sum
}

func pad4(n int) int { return (n + 3) &^ 3 }

// u16 and u32 read a big-endian integer at off, reporting false when it does
// not fit in data.
func u16(data []byte, off int) (uint16, bool) {
	if off < 0 || off > len(data)-2 {
		return 0, false
	}
	return binary.BigEndian.Uint16(data[off:]), true
}

func u32(data []byte, off int) (uint32, bool) {
	if off < 0 || off > len(data)-4 {
		return 0, false
	}
	return binary.BigEndian.Uint32(data[off:]), true
}
