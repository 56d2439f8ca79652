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

// mixKindNames names each kind of request of the mixed workload, in the
// order they are reported.
var mixKindNames = []struct {
	letter byte
	name   string
}{
	{'N', "nearby"}, {'F', "no-point filter"}, {'B', "BMLT nearest 10"}, {'K', "BMLT 10 km"},
	{'P', "meeting page"}, {'X', "feed, If-None-Match"},
}

// tracked is an Op made of several kinds of request: it sends each
// request to the Op of its kind and keeps each kind's latencies of the
// measured window, so that a phase of mixed requests can say which of
// them is slow.
type tracked struct {
	names []string
	ops   []Op
	// kind returns the kind of request seq and its sequence number among
	// the requests of that kind.
	kind func(seq int) (kind, sub int)
	mu   sync.Mutex
	lat  [][]time.Duration
}

// newMixed returns the mixed workload over ops, one per letter of
// mixKinds.
func newMixed(ops map[byte]Op) *tracked {
	t := &tracked{}
	index := map[byte]int{}
	for _, k := range mixKindNames {
		if ops[k.letter] == nil {
			panic(fmt.Sprintf("bench: no Op for mixed kind %q", k.letter))
		}
		index[k.letter] = len(t.ops)
		t.names, t.ops = append(t.names, k.name), append(t.ops, ops[k.letter])
	}
	t.kind = func(seq int) (int, int) { return index[mixKinds[seq%len(mixKinds)]], mixSeq(seq) }
	t.lat = make([][]time.Duration, len(t.ops))
	return t
}

// newRoundRobin returns an Op that asks ops in turn, one of each kind
// named by names.
func newRoundRobin(names []string, ops []Op) *tracked {
	n := len(ops)
	return &tracked{names: names, ops: ops, lat: make([][]time.Duration, n),
		kind: func(seq int) (int, int) { return seq % n, seq / n }}
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

// reset forgets the latencies kept so far (those of the warm-up).
func (t *tracked) reset() {
	t.mu.Lock()
	for k := range t.lat {
		t.lat[k] = t.lat[k][:0]
	}
	t.mu.Unlock()
}

// op is the Op.
func (t *tracked) op(ctx context.Context, seq int) (int, error) {
	k, sub := t.kind(seq)
	t0 := time.Now()
	rows, err := t.ops[k](ctx, sub)
	if err == nil {
		took := time.Since(t0)
		t.mu.Lock()
		t.lat[k] = append(t.lat[k], took)
		t.mu.Unlock()
	}
	return rows, err
}

// print writes each kind's request count, p50 and p99 of the measured
// window.
func (t *tracked) print(stdout io.Writer, label, phase string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, name := range t.names {
		lat := slices.Clone(t.lat[k])
		slices.Sort(lat)
		fmt.Fprintf(stdout, "bench: %s meetings, %s: %-36s %6d requests  p50 %7.2f ms  p99 %7.2f ms\n",
			label, phase, name, len(lat), ms(Percentile(lat, 50)), ms(Percentile(lat, 99)))
	}
}
