package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rssEvery is how often an rssSampler reads a process's resident set size.
const rssEvery = 100 * time.Millisecond

// RSSRange is what an rssSampler saw of a process's resident set size
// (VmRSS), in bytes: the first and last samples and the smallest and
// largest. Samples 0 means nothing was sampled.
type RSSRange struct {
	First, Last uint64
	Min, Max    uint64
	Samples     int
}

// add counts one sample.
func (r *RSSRange) add(v uint64) {
	if r.Samples == 0 {
		r.First, r.Min, r.Max = v, v, v
	}
	r.Last = v
	r.Min, r.Max = min(r.Min, v), max(r.Max, v)
	r.Samples++
}

// Spread returns Max − Min.
func (r RSSRange) Spread() uint64 { return r.Max - r.Min }

// procStatusBytes returns the field key ("VmRSS", "VmHWM") of
// /proc/<pid>/status in bytes.
func procStatusBytes(pid int, key string) (uint64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != key {
			continue
		}
		// "  1234567 kB"
		fields := strings.Fields(v)
		if len(fields) != 2 || fields[1] != "kB" {
			break
		}
		kb, err := strconv.ParseUint(fields[0], 10, 64)
		if err != nil {
			break
		}
		return kb << 10, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("bench: no %s in /proc/%d/status", key, pid)
}

// rssSampler reads a process's VmRSS every rssEvery until stopped.
type rssSampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	r    RSSRange
}

// sampleRSS starts sampling process pid's RSS, with a first sample at
// once. A process that cannot be read gives no samples.
func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	s.sample()
	go func() {
		defer close(s.done)
		t := time.NewTicker(rssEvery)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

// sample reads the process's RSS once.
func (s *rssSampler) sample() {
	v, err := procStatusBytes(s.pid, "VmRSS")
	if err != nil {
		return
	}
	s.mu.Lock()
	s.r.add(v)
	s.mu.Unlock()
}

// Stop takes a last sample, stops sampling and returns what was seen.
func (s *rssSampler) Stop() RSSRange {
	close(s.stop)
	<-s.done
	s.sample()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r
}

// mib returns b in mebibytes.
func mib(b uint64) float64 { return float64(b) / (1 << 20) }
