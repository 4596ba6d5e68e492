package audit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/request"
	"github.com/google/go-cmp/cmp"
)

func TestCanonicalJSON(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, `{}`},
		{"sorted keys", map[string]any{"b": 1, "a": "x"}, `{"a":"x","b":1}`},
		{"struct", struct {
			Z string `json:"z"`
			A int    `json:"a"`
		}{"漏洞<>&", 2}, `{"a":2,"z":"漏洞<>&"}`},
		{"nested", map[string]any{"o": map[string]any{"y": 1, "x": []int{3, 2}}}, `{"o":{"x":[3,2],"y":1}}`},
		{"big number kept", rawJSON(`{"n":12345678901234567890}`), `{"n":12345678901234567890}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CanonicalJSON(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("CanonicalJSON = %s, want %s", got, tc.want)
			}
		})
	}
	if _, err := CanonicalJSON([]int{1}); err == nil {
		t.Error("CanonicalJSON accepted a non-object")
	}
}

type rawJSON string

func (j rawJSON) MarshalJSON() ([]byte, error) { return []byte(j), nil }

// TestEncodingIsStable pins the canonical encoding and hash of one event:
// changing the format would silently invalidate every stored chain.
func TestEncodingIsStable(t *testing.T) {
	e := Event{Stream: Main, Seq: 7, OrgID: 3, At: time.Date(2026, 11, 25, 16, 0, 0, 1000, time.UTC),
		Actor: "user:1", Action: "case.read", Subject: "case:EMB-2026-0001", RequestID: "r1",
		Details: `{"why":"审核"}`, PrevHash: GenesisHash}
	wantEnc := `["embargo.audit.v2","audit",7,3,"2026-11-25T16:00:00.000001Z","user:1","case.read","case:EMB-2026-0001","r1","{\"why\":\"审核\"}","` + GenesisHash + `"]`
	if got := string(e.Encode()); got != wantEnc {
		t.Errorf("Encode =\n%s\nwant\n%s", got, wantEnc)
	}
}

func TestNewTakesRequestID(t *testing.T) {
	ctx := request.WithID(context.Background(), "req-1")
	e, err := New(ctx, "cli", "instance.init", "", map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	want := Event{Stream: Main, Actor: "cli", Action: "instance.init", RequestID: "req-1", Details: `{"k":"v"}`}
	if diff := cmp.Diff(want, e); diff != "" {
		t.Errorf("New (-want +got):\n%s", diff)
	}
}

func TestSealRefusesIncompleteEvents(t *testing.T) {
	good := Event{Stream: Main, Actor: "a", Action: "b", Details: "{}"}
	tests := []struct {
		name string
		edit func(*Event)
	}{
		{"no actor", func(e *Event) { e.Actor = "" }},
		{"no action", func(e *Event) { e.Action = "" }},
		{"no stream", func(e *Event) { e.Stream = "" }},
		{"non-canonical details", func(e *Event) { e.Details = `{"b":1, "a":2}` }},
		{"details not an object", func(e *Event) { e.Details = `[1]` }},
	}
	for _, tc := range tests {
		e := good
		tc.edit(&e)
		if _, err := Seal(Link{Hash: GenesisHash}, e); err == nil {
			t.Errorf("%s: Seal succeeded", tc.name)
		}
	}
}

// fakeLog is an in-memory Reader.
type fakeLog struct {
	head   Head
	events []Event
}

func (f *fakeLog) AuditHead(context.Context, Stream) (Head, error) { return f.head, nil }

func (f *fakeLog) AuditEvents(_ context.Context, _ Stream, after int64, limit int) ([]Event, error) {
	var out []Event
	for _, e := range f.events {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func newFakeLog(t *testing.T, n int) *fakeLog {
	f := &fakeLog{head: Head{Last: Link{Hash: GenesisHash}, FirstSeq: 1, FirstPrev: GenesisHash}}
	for i := range n {
		e, err := Seal(f.head.Last, Event{Stream: Main, Actor: "a", Action: fmt.Sprintf("act%d", i), Details: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		f.events = append(f.events, e)
		f.head.Last = Link{Seq: e.Seq, Hash: e.Hash}
	}
	return f
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		tamper  func(*fakeLog)
		wantSeq int64 // 0: intact
	}{
		{"empty", 0, func(*fakeLog) {}, 0},
		{"intact across pages", verifyPage + 3, func(*fakeLog) {}, 0},
		{"altered action", 5, func(f *fakeLog) { f.events[2].Action = "x" }, 3},
		{"re-hashed alteration", 5, func(f *fakeLog) {
			f.events[2].Action = "x"
			f.events[2].Hash = f.events[2].ComputeHash()
		}, 4},
		{"deleted middle", 5, func(f *fakeLog) { f.events = append(f.events[:1], f.events[2:]...) }, 2},
		{"deleted last", 5, func(f *fakeLog) { f.events = f.events[:4] }, 5},
		{"head behind", 5, func(f *fakeLog) { f.head.Last = Link{Seq: 4, Hash: f.events[3].Hash} }, 5},
		{"purged prefix anchored", 5, func(f *fakeLog) {
			f.head.FirstSeq, f.head.FirstPrev = 3, f.events[1].Hash
			f.events = f.events[2:]
		}, 0},
		{"purged prefix unanchored", 5, func(f *fakeLog) { f.events = f.events[2:] }, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLog(t, tc.n)
			tc.tamper(f)
			rep, err := Verify(context.Background(), f, Main, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			if rep.Break != nil {
				got = rep.Break.Seq
			}
			if got != tc.wantSeq {
				t.Errorf("break at %d (%v), want %d", got, rep.Break, tc.wantSeq)
			}
		})
	}
}
