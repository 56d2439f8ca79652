// Package bench runs closed-loop load tests: a fixed number of workers each
// issue one request after another for a set time, after a warm-up that is
// not counted, and the package reports latency percentiles, throughput and
// the CPU spent per request. It also describes the machine a run happened
// on and lays results out as Markdown tables.
//
// Run knows nothing about what a request does: an Op is any function.
// RunReads is meetingfinder's own benchmark built on it: it loads demo
// data sets into PostgreSQL/PostGIS databases of their own, measures the
// nearby query through pgx (the raw PostGIS query is the baseline), then
// starts the real server ("meetingfinder serve", in a process of its own
// so that its memory and CPU time can be read from /proc) with its
// in-memory read model and measures the public reads through HTTP: the
// nearby query, no-point filters, BMLT searches, the whole Meeting Guide
// feed and its 304, and a mixed workload, sampling the server's RSS. The
// meetingfinder bench command (cmd/meetingfinder) parses its flags and
// calls RunReads.
package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Op performs one request. seq is the request's number in the phase's
// shared sequence (0, 1, 2, … across all workers), so that two phases given
// the same Op inputs issue the same requests in the same order. It returns
// how many rows (results) the request produced.
type Op func(ctx context.Context, seq int) (rows int, err error)

// Phase is one load test: Concurrency workers run Op back to back, first for
// Warmup (not measured), then for Duration (measured). Both windows start
// their sequence at 0.
type Phase struct {
	Name        string
	Concurrency int
	Warmup      time.Duration
	Duration    time.Duration
	Op          Op
	// Profile, when not nil, receives a CPU profile (pprof format) of this
	// process over the measured window.
	Profile io.Writer
	// ServerCPU, when not nil, returns the CPU time used so far by the
	// database backends serving this phase. It is called just before and
	// just after the measured window; ok false means unknown.
	ServerCPU func() (cpu time.Duration, ok bool)
	// ServeCPU, when not nil, does the same for the application server
	// when it runs in a process of its own (the HTTP phases' meetingfinder
	// serve).
	ServeCPU func() (cpu time.Duration, ok bool)
	// Measure, when not nil, is called just before the measured window
	// starts, after the warm-up: an Op that keeps figures of its own
	// resets them there.
	Measure func()
}

// Result is what a Phase measured. Latencies and counts cover the measured
// window only, except Errors and FirstError, which also count the warm-up.
type Result struct {
	Name        string
	Concurrency int
	Requests    int           // successful requests in the measured window
	Rows        int64         // rows those requests returned
	Elapsed     time.Duration // from the start of the window until the last worker stopped
	P50, P90    time.Duration
	P99, Max    time.Duration
	Errors      int   // failed requests, warm-up included
	FirstError  error // the first failure seen, nil when Errors is 0
	// ProcessCPU is the user+system CPU time this process used during the
	// measured window; 0 when the platform does not say.
	ProcessCPU time.Duration
	// ServerCPU is the CPU time Phase.ServerCPU reported for the measured
	// window; 0 when unknown.
	ServerCPU time.Duration
	// ServeCPU is the CPU time Phase.ServeCPU reported for the measured
	// window; 0 when unknown.
	ServeCPU time.Duration
	// MachineBusy is the fraction (0–1) of all CPUs' time the whole machine
	// was busy during the measured window; negative when unknown.
	MachineBusy float64
	// Cores is the number of CPUs MachineBusy is a fraction of.
	Cores int
}

// OthersBusy returns the fraction (0–1) of all CPUs' time that the
// machine was busy with other work than this phase's during the measured
// window: MachineBusy less the CPU time of this process, the application
// server and the database backends that were counted. It is negative when
// unknown, and overstates the others when a part of this phase's CPU time
// was not counted.
func (r Result) OthersBusy() float64 {
	if r.MachineBusy < 0 || r.Elapsed <= 0 || r.Cores < 1 {
		return -1
	}
	ours := (r.ProcessCPU + r.ServerCPU + r.ServeCPU).Seconds() / (r.Elapsed.Seconds() * float64(r.Cores))
	return max(0, r.MachineBusy-ours)
}

// Throughput returns successful requests per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// RowsPerRequest returns the mean number of rows per successful request.
func (r Result) RowsPerRequest() float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Rows) / float64(r.Requests)
}

// CPUPerRequest returns this process's CPU time per successful request, 0
// when unknown.
func (r Result) CPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.ProcessCPU / time.Duration(r.Requests)
}

// ServerCPUPerRequest returns the database's CPU time per successful
// request, 0 when unknown.
func (r Result) ServerCPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.ServerCPU / time.Duration(r.Requests)
}

// ServeCPUPerRequest returns the application server process's CPU time
// per successful request, 0 when unknown or when it is this process.
func (r Result) ServeCPUPerRequest() time.Duration {
	if r.Requests == 0 {
		return 0
	}
	return r.ServeCPU / time.Duration(r.Requests)
}

// Capacity returns the requests per second the work would reach if it had
// cores CPUs to itself and were bound by CPU alone: cores divided by the
// CPU time (this process, the application server and the database) per
// request. It is 0 when the CPU time is unknown. Unlike Throughput it does
// not depend on what else the machine was running.
func (r Result) Capacity(cores int) float64 {
	per := r.CPUPerRequest() + r.ServerCPUPerRequest() + r.ServeCPUPerRequest()
	if per <= 0 {
		return 0
	}
	return float64(cores) / per.Seconds()
}

// Run runs p and returns its result. It returns ctx's error, with what was
// measured so far, when ctx ends early, and an error when the CPU profile
// cannot be written; failed requests are not an error of Run: they are
// counted in the Result.
func Run(ctx context.Context, p Phase) (Result, error) {
	p.Concurrency = max(p.Concurrency, 1)
	res := Result{Name: p.Name, Concurrency: p.Concurrency, MachineBusy: -1, Cores: runtime.NumCPU()}
	if p.Warmup > 0 {
		w := p.loop(ctx, p.Warmup)
		res.Errors, res.FirstError = w.errors, w.first
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if p.Profile != nil {
		if err := pprof.StartCPUProfile(p.Profile); err != nil {
			return res, fmt.Errorf("bench: cpu profile: %w", err)
		}
	}
	if p.Measure != nil {
		p.Measure()
	}
	srv, serve := startCPU(p.ServerCPU), startCPU(p.ServeCPU)
	cpu0, cpuOK := processCPU()
	busy0, total0, statOK := machineCPU()
	start := time.Now()
	m := p.loop(ctx, p.Duration)
	res.Elapsed = time.Since(start)
	if cpu1, ok := processCPU(); ok && cpuOK {
		res.ProcessCPU = cpu1 - cpu0
	}
	res.ServerCPU, res.ServeCPU = srv(), serve()
	if busy1, total1, ok := machineCPU(); ok && statOK && total1 > total0 {
		res.MachineBusy = float64(busy1-busy0) / float64(total1-total0)
	}
	if p.Profile != nil {
		pprof.StopCPUProfile()
	}
	res.Requests, res.Rows = len(m.lat), m.rows
	res.Errors += m.errors
	if res.FirstError == nil {
		res.FirstError = m.first
	}
	slices.Sort(m.lat)
	res.P50, res.P90 = Percentile(m.lat, 50), Percentile(m.lat, 90)
	res.P99, res.Max = Percentile(m.lat, 99), Percentile(m.lat, 100)
	return res, ctx.Err()
}

// startCPU reads the CPU clock read (nil: unknown) and returns a function
// that returns the CPU time used since, 0 when unknown.
func startCPU(read func() (time.Duration, bool)) func() time.Duration {
	if read == nil {
		return func() time.Duration { return 0 }
	}
	t0, ok0 := read()
	return func() time.Duration {
		t1, ok1 := read()
		if !ok0 || !ok1 {
			return 0
		}
		return t1 - t0
	}
}

// tally is what workers counted in one window.
type tally struct {
	lat    []time.Duration
	rows   int64
	errors int
	first  error
}

// loop runs the workers until d has passed (or ctx ends) and merges their
// tallies. A worker starts no request after the deadline; requests under
// way at the deadline finish and count.
func (p Phase) loop(ctx context.Context, d time.Duration) tally {
	deadline := time.Now().Add(d)
	var seq atomic.Int64
	tallies := make([]tally, p.Concurrency)
	var wg sync.WaitGroup
	for w := range tallies {
		t := &tallies[w]
		t.lat = make([]time.Duration, 0, 1024)
		wg.Go(func() {
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					return
				}
				rows, err := p.Op(ctx, int(seq.Add(1)-1))
				took := time.Since(t0)
				if err != nil {
					if ctx.Err() != nil {
						return
					}
					t.errors++
					if t.first == nil {
						t.first = err
					}
					continue
				}
				t.lat = append(t.lat, took)
				t.rows += int64(rows)
			}
		})
	}
	wg.Wait()
	var all tally
	for _, t := range tallies {
		all.lat = append(all.lat, t.lat...)
		all.rows += t.rows
		all.errors += t.errors
		if all.first == nil {
			all.first = t.first
		}
	}
	return all
}

// Percentile returns the nearest-rank p-th percentile (0 < p <= 100) of
// sorted, which must be in ascending order; 0 when sorted is empty.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100 + 0.999999999)
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}
