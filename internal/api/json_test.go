package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/embargohq/embargo/internal/errs"
)

// decodeTarget is a request body with a field of each JSON type.
type decodeTarget struct {
	Name  string            `json:"name"`
	Count int               `json:"count"`
	Score float64           `json:"score"`
	Open  bool              `json:"open"`
	Tags  []string          `json:"tags"`
	Meta  map[string]string `json:"meta"`
	Blob  []byte            `json:"blob"`
	At    time.Time         `json:"at"`
	Level severity          `json:"level"`
	Inner *struct {
		Level uint8 `json:"level"`
	} `json:"inner"`
}

// severity stands for a domain type that validates itself when decoded.
type severity string

// UnmarshalJSON accepts only "low" and "high".
func (s *severity) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"low"`, `"high"`:
		*s = severity(b[1 : len(b)-1])
		return nil
	}
	return errs.New(errs.Invalid, "level must be low or high")
}

// failure is what the tests check of a decodeJSON error.
type failure struct {
	Kind errs.Kind
	Msg  string
}

func failureOf(err error) *failure {
	if err == nil {
		return nil
	}
	return &failure{Kind: errs.KindOf(err), Msg: errs.Message(err)}
}

func invalid(msg string) *failure { return &failure{Kind: errs.Invalid, Msg: msg} }

func TestDecodeJSON(t *testing.T) {
	const limit = 64
	for _, tc := range []struct {
		name        string
		contentType string
		body        string
		unsized     bool // send without Content-Length, as a chunked body would come
		want        *failure
	}{
		{name: "ok", body: `{"name":"x","count":2,"inner":{"level":3}}`},
		{name: "charset", contentType: "application/json; charset=UTF-8", body: `{}`},
		{name: "trailing whitespace", body: "{\"name\":\"x\"}\r\n\t "},
		{name: "no content type", contentType: "-", body: `{}`,
			want: invalid("Content-Type must be application/json")},
		{name: "text/plain", contentType: "text/plain", body: `{}`,
			want: invalid("Content-Type must be application/json")},
		{name: "unparsable content type", contentType: "application/json; charset", body: `{}`,
			want: invalid("Content-Type must be application/json")},
		{name: "other charset", contentType: "application/json; charset=latin1", body: `{}`,
			want: invalid("request body must be UTF-8")},
		{name: "empty", body: ``,
			want: invalid("request body is empty")},
		{name: "syntax error", body: `{"name":}`,
			want: invalid("request body is not valid JSON at offset 9: invalid character '}' looking for beginning of value")},
		{name: "truncated", body: `{"name":"x"`,
			want: invalid("request body ends before the JSON value does")},
		{name: "unknown field", body: `{"nmae":"x"}`,
			want: invalid(`request body has unknown field "nmae"`)},
		{name: "unknown nested field", body: `{"inner":{"lvl":1}}`,
			want: invalid(`request body has unknown field "lvl"`)},
		{name: "wrong type", body: `{"count":"two"}`,
			want: invalid(`field "count" must be an integer in range, not string`)},
		{name: "out of range", body: `{"inner":{"level":300}}`,
			want: invalid(`field "inner.level" must be an integer in range, not number 300`)},
		{name: "wrong top-level type", body: `[1]`,
			want: invalid(`request body must be an object, not array`)},
		{name: "domain type", body: `{"level":"high"}`},
		{name: "domain type rejects", body: `{"level":"urgent"}`,
			want: invalid("level must be low or high")},
		{name: "bad base64", body: `{"blob":"!"}`,
			want: invalid(`request body is not valid for this request (at offset 12)`)},
		{name: "bad time", body: `{"at":"yesterday"}`,
			want: invalid(`request body is not valid for this request (at offset 18)`)},
		{name: "second value", body: `{"name":"x"} {}`,
			want: invalid("request body has data after the JSON value, which ends at offset 12")},
		{name: "trailing garbage", body: `{"name":"x"}x`,
			want: invalid("request body has data after the JSON value, which ends at offset 12")},
		{name: "too large", body: `{"name":"` + strings.Repeat("a", limit) + `"}`,
			want: &failure{Kind: errs.TooLarge, Msg: "request body is larger than 64 bytes"}},
		{name: "too large, unsized", unsized: true, body: `{"name":"` + strings.Repeat("a", limit) + `"}`,
			want: &failure{Kind: errs.TooLarge, Msg: "request body is larger than 64 bytes"}},
		{name: "too large after the value", unsized: true, body: `{}` + strings.Repeat(" ", limit),
			want: &failure{Kind: errs.TooLarge, Msg: "request body is larger than 64 bytes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newDecodeRequest(tc.contentType, tc.body, tc.unsized)
			var dst decodeTarget
			got := failureOf(decodeJSONLimit(httptest.NewRecorder(), r, &dst, limit))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("decodeJSON(%q) error mismatch (-want +got):\n%s", tc.body, diff)
			}
		})
	}
}

// newDecodeRequest returns a POST request with body. A contentType of ""
// means application/json, and "-" means none.
func newDecodeRequest(contentType, body string, unsized bool) *http.Request {
	r := httptest.NewRequest("POST", "/api/v1/test", strings.NewReader(body))
	switch contentType {
	case "":
		r.Header.Set("Content-Type", "application/json")
	case "-":
	default:
		r.Header.Set("Content-Type", contentType)
	}
	if unsized {
		r.ContentLength = -1
		r.Body = io.NopCloser(strings.NewReader(body))
	}
	return r
}

func TestDecodeJSONValue(t *testing.T) {
	r := newDecodeRequest("", `{"name":"x","count":2,"tags":["a"],"meta":{"k":"v"},"inner":{"level":3}}`, false)
	var got decodeTarget
	if err := decodeJSON(httptest.NewRecorder(), r, &got); err != nil {
		t.Fatalf("decodeJSON: %v", err)
	}
	want := decodeTarget{Name: "x", Count: 2, Tags: []string{"a"}, Meta: map[string]string{"k": "v"}}
	want.Inner = &struct {
		Level uint8 `json:"level"`
	}{Level: 3}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded value mismatch (-want +got):\n%s", diff)
	}
}

func TestWriteJSON(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v       any
		want    response
		wantErr *failure
	}{
		{
			name: "object",
			v:    map[string]any{"a": 1, "b": "<x>"},
			want: response{Status: 201, ContentType: "application/json", Body: `{"a":1,"b":"\u003cx\u003e"}` + "\n"},
		},
		{
			name:    "unencodable",
			v:       map[string]any{"c": make(chan int)},
			want:    response{Status: 200}, // nothing written: the caller can still send a problem
			wantErr: &failure{Kind: errs.Internal, Msg: "Internal Server Error"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			err := writeJSON(rec, http.StatusCreated, tc.v)
			if diff := cmp.Diff(tc.wantErr, failureOf(err)); diff != "" {
				t.Errorf("writeJSON error mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, summarize(rec)); diff != "" {
				t.Errorf("response mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzDecodeJSON checks that decodeJSON never panics and fails only with
// errs.Invalid or errs.TooLarge, whatever the client sends.
func FuzzDecodeJSON(f *testing.F) {
	for _, body := range []string{
		``, `{}`, `null`, `[]`, `"x"`, `{"name":"x"}`, `{"name":"x"} {}`, `{"nmae":1}`,
		`{"count":1e400}`, `{"count":-1.5}`, `{"inner":{"level":256}}`, `{"tags":[1,2]}`,
		`{"meta":{"k":{}}}`, `{"blob":"AAEC"}`, `{"at":"2026-01-02T03:04:05Z"}`, `{"at":1}`,
		"{\"name\":\"\xff\"}", `{"name":"\ud800"}`, `{"Name":"case"}`, `{"name":"x",}`, `{` + strings.Repeat(`"a":[`, 50),
	} {
		f.Add("application/json", []byte(body))
	}
	f.Add("application/json; charset=utf-8", []byte(`{}`))
	f.Add("text/plain", []byte(`{}`))
	f.Add("", []byte(`{}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/test", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", contentType)
		var dst decodeTarget
		err := decodeJSONLimit(httptest.NewRecorder(), r, &dst, 256)
		if err == nil {
			return
		}
		if k := errs.KindOf(err); k != errs.Invalid && k != errs.TooLarge {
			t.Fatalf("decodeJSON(%q, %q) = %v, kind %v; want invalid or too_large", contentType, body, err, k)
		}
		if errs.Message(err) == "" {
			t.Fatalf("decodeJSON(%q, %q) = %v, with no message", contentType, body, err)
		}
	})
}
