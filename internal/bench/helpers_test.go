package bench

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMarkerCounterAcrossWrites(t *testing.T) {
	body := []byte(`[{"name":"a","slug":"1"},{"name":"b","slug":"2"},{"name":"\"slug\":","slug":"3"}]`)
	for _, size := range []int{1, 2, 3, 5, 7, 64, len(body)} {
		m := &markerCounter{marker: slugMarker}
		for p := body; len(p) > 0; p = p[min(size, len(p)):] {
			m.Write(p[:min(size, len(p))])
		}
		if m.n != 3 {
			t.Errorf("writes of %d bytes: counted %d slugs, want 3", size, m.n)
		}
	}
}

func TestMixSeqNumbersEachKindInOrder(t *testing.T) {
	seen := map[byte][]int{}
	for seq := range 3 * len(mixKinds) {
		k := mixKinds[seq%len(mixKinds)]
		seen[k] = append(seen[k], mixSeq(seq))
	}
	want := map[byte]int{'N': 14, 'F': 2, 'B': 1, 'K': 1, 'P': 1, 'X': 1}
	for k, per := range want {
		got := seen[k]
		if len(got) != 3*per {
			t.Errorf("kind %c: %d requests in 3 cycles, want %d", k, len(got), 3*per)
		}
		for i, s := range got {
			if s != i {
				t.Errorf("kind %c: sequence %v, want 0, 1, 2, …", k, got)
				break
			}
		}
	}
}

func TestLineWriter(t *testing.T) {
	var lines []string
	w := &lineWriter{line: func(l []byte) { lines = append(lines, string(l)) }}
	for _, p := range []string{"meetingfinder: serv", "ing on http://127.0.0.1:1\n  try", ": curl\n", "\nlast"} {
		w.Write([]byte(p))
	}
	want := []string{"meetingfinder: serving on http://127.0.0.1:1", "  try: curl", ""}
	if !slices.Equal(lines, want) {
		t.Errorf("lines %q, want %q", lines, want)
	}
}

func TestServerEnv(t *testing.T) {
	env := serverEnv([]string{"PATH=/bin", "DATABASE_URL=postgres://other", "DATABASE_READ_URL=postgres://standby", "MEILI_URL=http://m", "MF_READ_MODEL=off", "MF_PUBLIC_RATE_LIMIT=600", "MF_FEED_CONCURRENCY=2", "HOME=/root"}, "postgres://bench")
	want := []string{"PATH=/bin", "HOME=/root", "DATABASE_URL=postgres://bench", "MF_READ_MODEL=on", "MF_PUBLIC_RATE_LIMIT=0", "MF_FEED_CONCURRENCY=0"}
	if !slices.Equal(env, want) {
		t.Errorf("env %q, want %q", env, want)
	}
}

func TestServerLogLine(t *testing.T) {
	s := &server{}
	s.logLine([]byte(`{"time":"t","level":"INFO","msg":"request","route":"/v1/meetings","status":200}`))
	s.logLine([]byte(`{"time":"t","level":"INFO","msg":"read model loaded","meetings":1000,"duration":2500000000}`))
	s.logLine([]byte(`{"time":"t","level":"WARN","msg":"places refresh failed"}`))
	s.logLine([]byte(`panic: boom`))
	if ld := s.loaded(); !ld.Logged || ld.Meetings != 1000 || ld.Took.Seconds() != 2.5 {
		t.Errorf("load %+v", ld)
	}
	if len(s.messages) != 2 || !strings.Contains(s.messages[0], "places refresh failed") || s.messages[1] != "panic: boom" {
		t.Errorf("messages %q", s.messages)
	}
}

func TestRSSOfThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	s := sampleRSS(os.Getpid())
	r := s.Stop()
	if r.Samples < 2 || r.Min == 0 || r.Min > r.Max || r.First == 0 || r.Last == 0 {
		t.Errorf("RSS %+v", r)
	}
	if got := rssCell(RSSRange{Min: 100 << 20, Max: 120 << 20, Samples: 2}); got != "100–120" {
		t.Errorf("rssCell = %q", got)
	}
	if got := rssCell(RSSRange{}); got != "–" {
		t.Errorf("rssCell of nothing = %q", got)
	}
}

func TestWriteFeedMarkdown(t *testing.T) {
	var b bytes.Buffer
	err := WriteFeedMarkdown(&b, []FeedResult{{Dataset: "10", Encoding: "gzip", Meetings: -1, Bytes: 1 << 20,
		RSS: RSSRange{First: 100 << 20, Max: 150 << 20, Samples: 3}, After: 110 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(b.String()), "\n"); len(lines) != 3 || !strings.Contains(lines[2], "| gzip | – |") || !strings.Contains(lines[2], "| 100 | 150 | 50 | 110 |") {
		t.Errorf("table:\n%s", b.String())
	}
}

func TestTrackedKeepsEachKindsLatencies(t *testing.T) {
	var got [2][]int
	op := func(k int) Op {
		return func(_ context.Context, seq int) (int, error) { got[k] = append(got[k], seq); return 1, nil }
	}
	rr := newRoundRobin([]string{"a", "b"}, []Op{op(0), op(1)})
	for seq := range 3 {
		rr.op(context.Background(), seq)
	}
	rr.reset()
	for seq := range 5 {
		rr.op(context.Background(), seq)
	}
	if len(rr.lat[0]) != 3 || len(rr.lat[1]) != 2 {
		t.Errorf("latencies kept after reset: %d and %d, want 3 and 2", len(rr.lat[0]), len(rr.lat[1]))
	}
	if !slices.Equal(got[0], []int{0, 1, 0, 1, 2}) || !slices.Equal(got[1], []int{0, 0, 1}) {
		t.Errorf("sequence numbers per kind %v", got)
	}
	var b bytes.Buffer
	rr.print(&b, "10", "filters")
	if !strings.Contains(b.String(), "filters: a") || strings.Count(b.String(), "\n") != 2 {
		t.Errorf("print:\n%s", b.String())
	}
	m := newMixed(map[byte]Op{'N': op(0), 'F': op(0), 'B': op(0), 'K': op(0), 'P': op(0), 'X': op(1)})
	if len(m.names) != 6 || m.names[5] != "feed, If-None-Match" {
		t.Errorf("mixed kinds %q", m.names)
	}
}

func TestOthersBusy(t *testing.T) {
	r := Result{MachineBusy: 0.9, Elapsed: 10 * time.Second, Cores: 2, ProcessCPU: 4 * time.Second, ServeCPU: 4 * time.Second, ServerCPU: 2 * time.Second}
	if got := r.OthersBusy(); got < 0.399 || got > 0.401 {
		t.Errorf("OthersBusy = %v, want 0.4", got)
	}
	if got := (Result{MachineBusy: -1, Elapsed: time.Second, Cores: 2}).OthersBusy(); got >= 0 {
		t.Errorf("OthersBusy unknown = %v, want negative", got)
	}
}
