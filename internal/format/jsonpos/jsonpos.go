// Package jsonpos points at the place in a JSON document where decoding
// failed, for the format readers' error messages: "line 3, column 7".
package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// First returns the first byte of b that is not white space (or a UTF-8
// byte order mark), or 0: enough to tell a JSON document from XML or text.
func First(b []byte) byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return 0
	}
	return b[0]
}

// Error adds the line and column, and the field for a type error, to an
// error from decoding b; other errors come back as they are.
func Error(b []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line, col := Position(b, syn.Offset)
		return fmt.Errorf("line %d, column %d: %w", line, col, err)
	case errors.As(err, &typ):
		line, col := Position(b, typ.Offset)
		return fmt.Errorf("line %d, column %d: field %s: %w", line, col, typ.Field, err)
	}
	return err
}

// Position turns the offset of a JSON decoding error (the number of bytes
// read, the last of them the culprit) into a 1-based line and column.
func Position(b []byte, off int64) (line, col int) {
	off = min(max(off-1, 0), int64(len(b)))
	head := b[:off]
	line = bytes.Count(head, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(head, '\n')
	return line, col
}
