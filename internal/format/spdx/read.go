package spdx

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	tgjson "github.com/spdx/tools-golang/json"
	tgspdx "github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/tagvalue"
)

// readJSON parses JSON with tools-golang, whose errors carry no position:
// syntax was checked before, so what is left are shape errors.
func readJSON(b []byte) (doc *tgspdx.Document, err error) {
	defer recoverPanic(&err)
	doc, err = tgjson.Read(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("SPDX JSON: %w", err)
	}
	return doc, nil
}

// DecodeTagValue reads an SPDX tag-value document; see Decode.
func DecodeTagValue(b []byte) (*Document, error) {
	version, err := scanTagValue(b)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(version); err != nil {
		return nil, err
	}
	doc, err := readTagValue(b)
	if err != nil {
		return nil, err
	}
	return convert(doc, version, "tag-value")
}

// readTagValue parses tag-value with tools-golang.
func readTagValue(b []byte) (doc *tgspdx.Document, err error) {
	defer recoverPanic(&err)
	doc, err = tagvalue.Read(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("SPDX tag-value: %w", err)
	}
	return doc, nil
}

// scanTagValue checks the line structure of a tag-value document, which
// tools-golang reports without line numbers, and returns its SPDXVersion.
// Every line outside a <text> value is blank, a # comment or "Tag: value".
func scanTagValue(b []byte) (version string, err error) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, len(b)+1)
	inText := false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if inText {
			inText = !strings.Contains(line, "</text>")
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tag, value, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(tag, " \t") {
			return "", fmt.Errorf("line %d: %q is not a Tag: value pair", n, truncate(line))
		}
		if strings.Contains(value, "<text>") && !strings.Contains(value, "</text>") {
			inText = true
		}
		if tag == "SPDXVersion" {
			if version != "" {
				return "", fmt.Errorf("line %d: second SPDXVersion", n)
			}
			version = trimText(value)
		}
	}
	if err := sc.Err(); err != nil {
		return "", err
	}
	if inText {
		return "", fmt.Errorf("unterminated <text> value")
	}
	return version, nil
}

// recoverPanic turns a panic in the parser into an error: a document must
// never bring the process down.
func recoverPanic(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("SPDX parser failed on this input: %v", r)
	}
}

// truncate shortens s for an error message.
func truncate(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
