package bench_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/bench"
)

func TestPercentile(t *testing.T) {
	var xs []time.Duration
	for i := 1; i <= 100; i++ {
		xs = append(xs, time.Duration(i))
	}
	for _, c := range []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", []time.Duration{7}, 99, 7},
		{"median of 100", xs, 50, 50},
		{"p99 of 100", xs, 99, 99},
		{"max", xs, 100, 100},
		{"p1", xs, 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := bench.Percentile(c.in, c.p); got != c.want {
				t.Errorf("Percentile(%v) = %v, want %v", c.p, got, c.want)
			}
		})
	}
}

func TestRunCountsRequestsRowsAndErrors(t *testing.T) {
	var mu sync.Mutex
	seen := map[int]bool{}
	boom := errors.New("boom")
	res, err := bench.Run(context.Background(), bench.Phase{
		Name: "fake", Concurrency: 3, Duration: 50 * time.Millisecond,
		Op: func(ctx context.Context, seq int) (int, error) {
			mu.Lock()
			seen[seq] = true
			mu.Unlock()
			time.Sleep(time.Millisecond)
			if seq%10 == 9 {
				return 0, boom
			}
			return 2, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors == 0 || !errors.Is(res.FirstError, boom) {
		t.Fatalf("requests %d, errors %d, first error %v", res.Requests, res.Errors, res.FirstError)
	}
	if res.Rows != 2*int64(res.Requests) || res.RowsPerRequest() != 2 {
		t.Errorf("rows %d for %d requests", res.Rows, res.Requests)
	}
	if len(seen) != res.Requests+res.Errors {
		t.Errorf("%d distinct sequence numbers for %d requests", len(seen), res.Requests+res.Errors)
	}
	for i := range len(seen) {
		if !seen[i] {
			t.Fatalf("sequence number %d was skipped", i)
		}
	}
	if res.P50 < time.Millisecond || res.P99 < res.P50 || res.Max < res.P99 {
		t.Errorf("percentiles p50 %v p99 %v max %v", res.P50, res.P99, res.Max)
	}
	var b bytes.Buffer
	if err := bench.WriteMarkdown(&b, []bench.Row{{Dataset: "10", Path: "fake", Result: res, Baseline: res.Throughput()}}); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(b.String()), "\n"); len(lines) != 3 || !strings.Contains(lines[2], "| 1.00 |") {
		t.Errorf("table:\n%s", b.String())
	}
}

func TestRunStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := bench.Run(ctx, bench.Phase{Concurrency: 2, Duration: time.Hour,
		Op: func(ctx context.Context, _ int) (int, error) {
			<-ctx.Done()
			return 0, ctx.Err()
		}})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 100000: "100,000", 1000000: "1,000,000", -12345: "-12,345"} {
		if got := bench.Thousands(in); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", in, got, want)
		}
	}
}
