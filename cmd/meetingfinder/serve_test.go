package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/httpapi"
	"github.com/meetingfinder/meetingfinder/internal/postgres/pgtest"
)

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeRefusesASchemaThatIsBehind(t *testing.T) {
	db := pgtest.New(t)
	if _, err := db.Pool.Exec(context.Background(), `DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, db, "serve", "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "meetingfinder migrate") {
		t.Fatalf("serve on a schema that is behind: err = %v, output %q; want a refusal naming \"meetingfinder migrate\"", err, out)
	}
}

// startServe runs serve on a free loopback port against the database url,
// with extra flags, and returns its base URL, the channel its result
// arrives on, and the cancel that stops it (as SIGTERM does).
func startServe(t *testing.T, url string, flags ...string) (string, chan error, context.CancelFunc) {
	t.Helper()
	return startServeEnv(t, map[string]string{"DATABASE_URL": url}, flags...)
}

// startServeEnv is startServe with the environment vars (DATABASE_URL,
// DATABASE_READ_URL, …; every other variable is empty).
func startServeEnv(t *testing.T, vars map[string]string, flags ...string) (string, chan error, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, flags...), func(k string) string {
			return vars[k]
		}, &stdout, &stderr)
	}()
	var base string
	for deadline := time.Now().Add(20 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		sc := bufio.NewScanner(strings.NewReader(stdout.String()))
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "meetingfinder: serving on "); ok {
				base = strings.TrimSpace(rest)
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve stopped early: %v\n%s", err, stderr.String())
		default:
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("serve printed no address:\n%s", stdout.String())
	}
	return base, done, cancel
}

// TestServeDrainsInFlightRequests cancels serve's context (as SIGTERM does)
// while a request is still sending its body, and checks that the request
// still gets its answer and serve then returns cleanly.
func TestServeDrainsInFlightRequests(t *testing.T) {
	db := pgtest.New(t)
	base, done, cancel := startServe(t, pgtest.DatabaseURL(t, db))
	defer cancel()

	body, w := io.Pipe()
	req, err := http.NewRequest(http.MethodPost, base+"/v1/meetings/1/change-requests", body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	type result struct {
		status int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		got <- result{status: resp.StatusCode}
	}()
	w.Write([]byte(`{"proposed": {"notes": "`)) // the request is now in flight
	time.Sleep(300 * time.Millisecond)
	cancel() // what SIGINT/SIGTERM do
	time.Sleep(300 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("serve returned (%v) while a request was still in flight", err)
	default:
	}
	w.Write([]byte(`moved to room 4"}}`))
	w.Close()
	r := <-got
	if r.err != nil || r.status == 0 {
		t.Fatalf("in-flight request: status %d, error %v; want an answer", r.status, r.err)
	}
	if r.status != http.StatusNotFound { // no meeting 1: the handler really ran
		t.Errorf("in-flight request: status %d, want 404 from the handler", r.status)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop after draining")
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still accepts requests after shutdown")
	}
}

// TestServeRefusesAReadURLAtAPrimary points DATABASE_READ_URL at the
// primary itself: serve refuses to start, naming the mistake.
func TestServeRefusesAReadURLAtAPrimary(t *testing.T) {
	db := pgtest.New(t)
	url := pgtest.DatabaseURL(t, db)
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string {
		if k == "DATABASE_URL" || k == "DATABASE_READ_URL" {
			return url
		}
		return ""
	}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "DATABASE_READ_URL points at a primary") {
		t.Fatalf("serve with DATABASE_READ_URL at a primary: err = %v, output %q; want a refusal", err, out.String())
	}
}

func TestParsePublicRate(t *testing.T) {
	for _, c := range []struct {
		in   string
		want httpapi.Rate
		bad  bool
	}{
		{"", httpapi.DefaultPublicRate, false},
		{"600", httpapi.Rate{PerMinute: 600, Burst: 100}, false},
		{" 1200 ", httpapi.Rate{PerMinute: 1200, Burst: 200}, false},
		{"3", httpapi.Rate{PerMinute: 3, Burst: 1}, false},
		{"0", httpapi.NoLimit, false},
		{"-5", httpapi.Rate{}, true},
		{"lots", httpapi.Rate{}, true},
	} {
		got, err := parsePublicRate(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("parsePublicRate(%q) = %+v, %v; want %+v (error %v)", c.in, got, err, c.want, c.bad)
		}
	}
}

func TestParseFeedConcurrency(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		bad  bool
	}{
		{"", 0, false}, {"8", 8, false}, {"0", -1, false}, {"-1", 0, true}, {"many", 0, true},
	} {
		got, err := parseFeedConcurrency(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("parseFeedConcurrency(%q) = %d, %v; want %d (error %v)", c.in, got, err, c.want, c.bad)
		}
	}
}

// TestServePublicRateLimit runs serve with a limit of 6 a minute (bursts
// of 1): a second request at once answers 429, the health checks never.
func TestServePublicRateLimit(t *testing.T) {
	db := pgtest.New(t)
	base, done, cancel := startServe(t, pgtest.DatabaseURL(t, db), "--public-rate-limit", "6")
	defer func() { cancel(); <-done }()
	for i, c := range []struct {
		path   string
		status int
	}{
		{"/v1/meetings", http.StatusOK},
		{"/v1/meetings", http.StatusTooManyRequests},
		{"/feeds/meeting-guide.json", http.StatusTooManyRequests},
		{"/healthz", http.StatusOK},
	} {
		resp, err := http.Get(base + c.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("request %d, GET %s: status %d, want %d", i, c.path, resp.StatusCode, c.status)
		}
	}
}
