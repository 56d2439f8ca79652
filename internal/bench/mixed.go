package bench

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// mixKinds is the mixed workload's cycle of 20 requests: 14 nearby (70 %),
// 2 no-point filters (10 %), 2 BMLT (10 %: one nearest-10, one 10 km), 1
// meeting page (5 %) and 1 whole feed with If-None-Match (5 %), spread
// through the cycle. The letters index mixKindNames.
const mixKinds = "NNFNNBNNPNNFNNKNNXNN"

// mixKindNames names each kind of request of the mixed workload.
var mixKindNames = map[byte]string{
	'N': "nearby", 'F': "no-point filter", 'B': "BMLT nearest 10", 'K': "BMLT 10 km",
	'P': "meeting page", 'X': "feed, If-None-Match",
}

// mixed is the mixed workload: an Op that sends each request of the
// mixKinds cycle to the Op of its kind, and keeps each kind's latencies
// of the measured window.
type mixed struct {
	ops map[byte]Op
	mu  sync.Mutex
	lat map[byte][]time.Duration
}

// newMixed returns the mixed workload over ops, one per letter of
// mixKinds.
func newMixed(ops map[byte]Op) *mixed {
	for i := range len(mixKinds) {
		if ops[mixKinds[i]] == nil {
			panic(fmt.Sprintf("bench: no Op for mixed kind %q", mixKinds[i]))
		}
	}
	return &mixed{ops: ops, lat: map[byte][]time.Duration{}}
}

// reset forgets the latencies kept so far (those of the warm-up).
func (m *mixed) reset() {
	m.mu.Lock()
	clear(m.lat)
	m.mu.Unlock()
}

// mixSeq returns the sequence number that request seq of the mixed
// workload has among the requests of its kind (0, 1, 2, … for each kind),
// so that each kind's Op goes through its inputs in order.
func mixSeq(seq int) int {
	slot := seq % len(mixKinds)
	kind := mixKinds[slot]
	perCycle := strings.Count(mixKinds, string(kind))
	rank := strings.Count(mixKinds[:slot], string(kind))
	return seq/len(mixKinds)*perCycle + rank
}

// op is the mixed workload's Op.
func (m *mixed) op(ctx context.Context, seq int) (int, error) {
	kind := mixKinds[seq%len(mixKinds)]
	t0 := time.Now()
	rows, err := m.ops[kind](ctx, mixSeq(seq))
	if err == nil {
		took := time.Since(t0)
		m.mu.Lock()
		m.lat[kind] = append(m.lat[kind], took)
		m.mu.Unlock()
	}
	return rows, err
}

// print writes each kind's request count, p50 and p99 of the measured
// window.
func (m *mixed) print(stdout io.Writer, label string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var done []byte
	for i := range len(mixKinds) {
		kind := mixKinds[i]
		if slices.Contains(done, kind) {
			continue
		}
		done = append(done, kind)
		lat := slices.Clone(m.lat[kind])
		slices.Sort(lat)
		fmt.Fprintf(stdout, "bench: %s meetings, mixed: %-20s %6d requests  p50 %6.2f ms  p99 %6.2f ms\n",
			label, mixKindNames[kind], len(lat), ms(Percentile(lat, 50)), ms(Percentile(lat, 99)))
	}
}
