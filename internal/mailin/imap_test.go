package mailin_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/embargohq/embargo/internal/mailin"
	"github.com/embargohq/embargo/internal/mailin/mailintest"
	"github.com/embargohq/embargo/internal/report"
	"github.com/emersion/go-imap/v2"
	"github.com/google/go-cmp/cmp"
)

// mailboxFlags returns whether each message of mailbox is \Seen, in order.
func mailboxFlags(t testing.TB, addr, mailbox string) []bool {
	t.Helper()
	c := mailintest.Client(t, addr)
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	out := []bool{}
	if sel.NumMessages == 0 {
		return out
	}
	var all imap.SeqSet
	all.AddRange(1, sel.NumMessages)
	msgs, err := c.Fetch(all, &imap.FetchOptions{Flags: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		out = append(out, slices.Contains(m.Flags, imap.FlagSeen))
	}
	return out
}

func newPoller(t testing.TB, cfg mailin.IMAPConfig, sink mailin.Sink) *mailin.IMAPPoller {
	t.Helper()
	if cfg.TLS == "" {
		cfg.TLS = mailin.TLSNone
	}
	cfg.Username, cfg.Password = mailintest.User, mailintest.Password
	p, err := mailin.NewIMAPPoller(cfg, sink, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustPoll(t testing.TB, p *mailin.IMAPPoller, want int) {
	t.Helper()
	n, err := p.Poll(context.Background())
	if err != nil || n != want {
		t.Fatalf("Poll = %d, %v; want %d, nil", n, err, want)
	}
}

func TestIMAPPollSubmitsEachMessageOnce(t *testing.T) {
	key := mustInstanceKey(t)
	msgs := testMessages(t)
	addr := mailintest.StartIMAP(t, nil, msgs["plain"], msgs["gb2312"], pgpMIMEMessage(t, key, innerEntity()))
	sink := &fakeSink{}
	p := newPoller(t, mailin.IMAPConfig{Addr: addr, Decrypter: key}, sink)
	mustPoll(t, p, 3)
	if diff := cmp.Diff([]bool{true, true, true}, mailboxFlags(t, addr, "INBOX")); diff != "" {
		t.Errorf("\\Seen after a poll (-want +got):\n%s", diff)
	}
	mustPoll(t, p, 0)
	subs := sink.submissions()
	var got []report.Submission
	for _, s := range subs {
		got = append(got, report.Submission{Channel: s.Channel, Actor: s.Actor, Title: s.Title, Encrypted: s.Encrypted, DedupKey: s.DedupKey})
	}
	key0 := "imap:" + mailintest.User + "@127.0.0.1/INBOX:"
	want := []report.Submission{
		{Channel: report.IMAP, Actor: "imap:" + mailintest.User, Title: "Heap overflow in 解析器"},
		{Channel: report.IMAP, Actor: "imap:" + mailintest.User, Title: "漏洞报告：缓冲区溢出"},
		{Channel: report.IMAP, Actor: "imap:" + mailintest.User, Title: "真正的标题", Encrypted: true},
	}
	for i := range got {
		if !strings.HasPrefix(got[i].DedupKey, key0) || !strings.HasSuffix(got[i].DedupKey, fmt.Sprintf(":%d", i+1)) {
			t.Errorf("DedupKey %q, want %s<uidvalidity>:%d", got[i].DedupKey, key0, i+1)
		}
		got[i].DedupKey = ""
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("submissions (-want +got):\n%s", diff)
	}
	if string(subs[1].Raw) != msgs["gb2312"] {
		t.Error("Raw is not the message as stored in the mailbox")
	}
}

func TestIMAPSinkFailureLeavesMessagesUnseen(t *testing.T) {
	addr := mailintest.StartIMAP(t, nil, testMessages(t)["plain"], testMessages(t)["big5"])
	sink := &fakeSink{fail: true}
	p := newPoller(t, mailin.IMAPConfig{Addr: addr}, sink)
	if n, err := p.Poll(context.Background()); err == nil || n != 0 {
		t.Fatalf("Poll with a failing sink = %d, %v; want 0 and an error", n, err)
	}
	if diff := cmp.Diff([]bool{false, false}, mailboxFlags(t, addr, "INBOX")); diff != "" {
		t.Errorf("\\Seen after a failed poll (-want +got):\n%s", diff)
	}
	sink.setFail(false)
	mustPoll(t, p, 2)
	mustPoll(t, p, 0)
	if n := len(sink.submissions()); n != 2 {
		t.Errorf("%d submissions, want 2", n)
	}
}

func TestIMAPMoveTo(t *testing.T) {
	addr := mailintest.StartIMAP(t, nil, testMessages(t)["plain"])
	sink := &fakeSink{}
	mustPoll(t, newPoller(t, mailin.IMAPConfig{Addr: addr, MoveTo: "Processed"}, sink), 1)
	if diff := cmp.Diff([]bool{}, mailboxFlags(t, addr, "INBOX")); diff != "" {
		t.Errorf("INBOX after the move (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]bool{true}, mailboxFlags(t, addr, "Processed")); diff != "" {
		t.Errorf("Processed after the move (-want +got):\n%s", diff)
	}
}

func TestIMAPOversizeStaysUnseen(t *testing.T) {
	big := crlf("Subject: big", "", strings.Repeat(strings.Repeat("A", 76)+"\n", 50))
	addr := mailintest.StartIMAP(t, nil, big, testMessages(t)["plain"])
	sink := &fakeSink{}
	mustPoll(t, newPoller(t, mailin.IMAPConfig{Addr: addr, Limits: mailin.Limits{MaxMessageBytes: 1000}}, sink), 1)
	if diff := cmp.Diff([]bool{false, true}, mailboxFlags(t, addr, "INBOX")); diff != "" {
		t.Errorf("\\Seen (-want +got):\n%s", diff)
	}
}

func TestIMAPStartTLSAndRun(t *testing.T) {
	serverTLS, clientTLS := mustTLS(t)
	addr := mailintest.StartIMAP(t, serverTLS, testMessages(t)["plain"])
	sink := &fakeSink{}
	p := newPoller(t, mailin.IMAPConfig{Addr: addr, TLS: mailin.STARTTLS, TLSConfig: clientTLS, Interval: 10 * time.Millisecond}, sink)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(sink.submissions()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
	if n := len(sink.submissions()); n != 1 {
		t.Errorf("%d submissions over STARTTLS, want 1", n)
	}
}

func TestNewIMAPPollerRefuses(t *testing.T) {
	tests := []struct {
		name string
		cfg  mailin.IMAPConfig
	}{
		{"no TLS to a remote server", mailin.IMAPConfig{Addr: "imap.example.com:143", TLS: mailin.TLSNone, Username: "u"}},
		{"no port", mailin.IMAPConfig{Addr: "imap.example.com", Username: "u"}},
		{"no username", mailin.IMAPConfig{Addr: "imap.example.com:993"}},
		{"unknown TLS mode", mailin.IMAPConfig{Addr: "imap.example.com:993", Username: "u", TLS: "ssl3"}},
	}
	for _, tc := range tests {
		if _, err := mailin.NewIMAPPoller(tc.cfg, &fakeSink{}, testLogger(t)); err == nil {
			t.Errorf("%s: NewIMAPPoller succeeded, want an error", tc.name)
		}
	}
}

func TestIMAPPasswordIsNeverShown(t *testing.T) {
	addr := mailintest.StartIMAP(t, nil)
	cfg := mailin.IMAPConfig{Addr: addr, TLS: mailin.TLSNone, Username: mailintest.User, Password: "wrong-" + mailintest.Password}
	var logs strings.Builder
	p, err := mailin.NewIMAPPoller(cfg, &fakeSink{}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Poll(context.Background())
	if err == nil {
		t.Fatal("Poll with a wrong password succeeded")
	}
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "imap", cfg)
	for _, s := range []string{err.Error(), logs.String()} {
		if strings.Contains(s, mailintest.Password) {
			t.Errorf("the password shows in %q", s)
		}
	}
}
