package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/embargohq/embargo/internal/errs"
)

// maxJSONBytes caps a JSON request body. Reports with proof-of-concept text
// fit easily; attachments are uploaded separately, with their own limit.
const maxJSONBytes = 1 << 20

// writeJSON writes v as the JSON response body with the given status.
// Handlers end with `return writeJSON(w, http.StatusOK, v)`. It returns an
// errs.Internal error, having written nothing, if v cannot be encoded.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	return writeJSONAs(w, status, "application/json", v)
}

// writeJSONAs is writeJSON with another JSON media type (problem+json).
// It encodes v before writing anything, so that a failure can still be
// answered with a problem.
func writeJSONAs(w http.ResponseWriter, status int, contentType string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "")
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	// A failed write means the client has gone; there is nobody to tell.
	_, _ = w.Write(append(body, '\n'))
	return nil
}

// decodeJSON decodes the JSON request body of r into dst, which must be a
// pointer. It is strict, so that a client's typo fails loudly instead of
// being ignored:
//
//   - Content-Type must be application/json (charset, if given, UTF-8);
//   - the body must be at most maxJSONBytes long;
//   - every object member must match a field of dst;
//   - the body must hold exactly one JSON value.
//
// Returns errs.TooLarge if the body is too long, and errs.Invalid, with a
// message naming the field or byte offset, for any other bad body.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	return decodeJSONLimit(w, r, dst, maxJSONBytes)
}

// decodeJSONLimit is decodeJSON with a body limit of n bytes.
func decodeJSONLimit(w http.ResponseWriter, r *http.Request, dst any, n int64) error {
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return err
	}
	if r.ContentLength > n {
		return tooLarge(n)
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, n))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, dec, n)
	}
	// Exactly one value: the next token must be the end of the body.
	end := dec.InputOffset()
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if isTooLarge(err) {
			return tooLarge(n)
		}
		return errs.New(errs.Invalid, "request body has data after the JSON value, which ends at offset %d", end)
	}
	return nil
}

// checkJSONContentType accepts application/json with an optional UTF-8
// charset (RFC 8259, section 8.1: JSON exchanged between systems is UTF-8).
func checkJSONContentType(value string) error {
	if value == "" {
		return errs.New(errs.Invalid, "Content-Type must be application/json")
	}
	mt, params, err := mime.ParseMediaType(value)
	if err != nil || mt != "application/json" {
		return errs.New(errs.Invalid, "Content-Type must be application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errs.New(errs.Invalid, "request body must be UTF-8")
	}
	return nil
}

func tooLarge(n int64) error {
	return errs.New(errs.TooLarge, "request body is larger than %d bytes", n)
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// decodeError turns an error from json.Decoder.Decode into an errs.Invalid
// (or errs.TooLarge) error that tells the client what is wrong and where.
// The messages are written here, from the typed errors' fields; only the
// syntax error's own text, which describes the client's input, is quoted.
func decodeError(err error, dec *json.Decoder, n int64) error {
	var (
		syntax    *json.SyntaxError
		typ       *json.UnmarshalTypeError
		invalidTo *json.InvalidUnmarshalError
	)
	switch {
	case isTooLarge(err):
		return tooLarge(n)
	case errors.Is(err, io.EOF):
		return errs.New(errs.Invalid, "request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.New(errs.Invalid, "request body ends before the JSON value does")
	case errors.As(err, &syntax):
		return errs.Wrap(errs.Invalid, err, "request body is not valid JSON at offset %d: %s", syntax.Offset, syntax)
	case errors.As(err, &typ):
		return typeError(typ)
	case errors.As(err, &invalidTo):
		return errs.Wrap(errs.Internal, err, "") // a bug in the handler: dst is not a pointer
	case errs.Is(err, errs.Invalid):
		return err // a field's UnmarshalJSON said what is wrong
	}
	if name, ok := unknownField(err); ok {
		return errs.Wrap(errs.Invalid, err, "request body has unknown field %q", name)
	}
	return errs.Wrap(errs.Invalid, err, "request body is not valid for this request (at offset %d)", dec.InputOffset())
}

// typeError describes a JSON value of the wrong type.
func typeError(e *json.UnmarshalTypeError) error {
	want := jsonTypeName(e.Type)
	if e.Field == "" {
		return errs.Wrap(errs.Invalid, e, "request body must be %s, not %s", want, e.Value)
	}
	return errs.Wrap(errs.Invalid, e, "field %q must be %s, not %s", e.Field, want, e.Value)
}

// jsonTypeName names the JSON type that decodes into t, for messages that
// must not expose Go type names.
func jsonTypeName(t reflect.Type) string {
	if t == nil {
		return "a different type"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number in range"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonTypeName(t.Elem())
	}
	return "a different type"
}

// unknownField extracts the member name from the error that
// json.Decoder.DisallowUnknownFields produces. encoding/json has no typed
// error for it, so this reads its text, which has been `json: unknown field
// "name"` since the option was added; if that ever changes, clients get the
// generic message instead of the name.
func unknownField(err error) (string, bool) {
	rest, ok := strings.CutPrefix(err.Error(), "json: unknown field ")
	if !ok {
		return "", false
	}
	var name string
	if _, serr := fmt.Sscanf(rest, "%q", &name); serr != nil {
		return "", false
	}
	return name, true
}
