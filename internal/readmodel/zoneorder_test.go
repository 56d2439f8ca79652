package readmodel

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
	"github.com/meetingfinder/meetingfinder/internal/memstore"
)

// propertyZones are the zones of the property test's meetings: daylight
// saving forward and back, by an hour, half an hour and two, on both
// hemispheres, the extremes of the offsets (+14, -11, -12), offsets of
// 45 and 30 minutes, zones that change twice within weeks, and a zone
// name no one can load and no zone at all (neither is ever today or
// upcoming).
var propertyZones = []string{
	"America/New_York", "America/Los_Angeles", "America/St_Johns", "America/Santiago", "America/Sao_Paulo",
	"Europe/London", "Europe/Dublin", "Europe/Berlin", "Africa/Casablanca", "Antarctica/Troll",
	"Australia/Lord_Howe", "Australia/Sydney", "Pacific/Auckland", "Pacific/Chatham", "Pacific/Kiritimati",
	"Pacific/Pago_Pago", "Etc/GMT+12", "Asia/Kathmandu", "Asia/Kolkata", "Asia/Tokyo", "UTC",
	"Mars/Olympus_Mons", "",
}

// randomMeeting returns a public meeting with a random schedule in a
// random zone of propertyZones: starts on the quarter hour and at any
// minute, in the hours that daylight saving skips or repeats, at midnight
// and just before; ends missing (an hour), equal to the start (a day),
// past midnight, or hours later.
func randomMeeting(rng *rand.Rand, n int) meeting.Meeting {
	m := meeting.Meeting{
		Source:     "test",
		ExternalID: fmt.Sprintf("m%d", n),
		Name:       fmt.Sprintf("meeting %d", n),
		Program:    meeting.Programs[rng.IntN(len(meeting.Programs))],
		Attendance: meeting.Attendances[rng.IntN(len(meeting.Attendances))],
		TimeZone:   propertyZones[rng.IntN(len(propertyZones))],
		Day:        meeting.Weekday(rng.IntN(7)),
		End:        meeting.NoClock,
		Status:     meeting.StatusPublished,
	}
	for _, code := range []string{"O", "C", "W", "M"} {
		if rng.IntN(3) == 0 {
			m.Types = append(m.Types, code)
		}
	}
	if rng.IntN(25) == 0 {
		m.ByAppointment, m.Start = true, meeting.NoClock
		return m
	}
	switch rng.IntN(6) {
	case 0:
		m.Start = meeting.Clock(rng.IntN(24 * 60))
	case 1:
		m.Start = meeting.Clock(60 + rng.IntN(120)) // 01:00–02:59, where clocks change
	case 2:
		m.Start = meeting.Clock([]int{0, 1, 15, 23*60 + 30, 23*60 + 59}[rng.IntN(5)])
	default:
		m.Start = meeting.Clock(15 * rng.IntN(96))
	}
	switch rng.IntN(8) {
	case 0: // no end: an hour
	case 1:
		m.End = m.Start // a whole day
	case 2:
		m.End = meeting.Clock((int(m.Start) + 1 + rng.IntN(24*60-1)) % (24 * 60)) // anything, often past midnight
	case 3:
		m.End = meeting.Clock((int(m.Start) + 121 + rng.IntN(600)) % (24 * 60)) // long
	default:
		m.End = meeting.Clock((int(m.Start) + 30*(1+rng.IntN(4))) % (24 * 60))
	}
	return m
}

// propertyModel returns a memstore holding n random meetings and a model
// of the same public meetings split as a model that has followed changes
// is: a base in which some meetings are old versions (changed since:
// other days, times and zones) or removed meetings, both marked dead, and
// an overlay of the changed meetings' new versions.
func propertyModel(t *testing.T, rng *rand.Rand, n int) (*memstore.Store, *Model) {
	t.Helper()
	ctx := context.Background()
	mem := memstore.New()
	var in []meeting.Meeting
	for k := range n {
		in = append(in, randomMeeting(rng, k))
	}
	if _, err := mem.Insert(ctx, in); err != nil {
		t.Fatal(err)
	}
	var current []meeting.Meeting
	if _, err := mem.LoadPublic(ctx, func(m *meeting.Meeting) error {
		current = append(current, *m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	base, over := newBuilder(0, 0), newBuilder(0, 0)
	var deadIDs []int64
	for k := range current {
		m := &current[k]
		if rng.IntN(8) != 0 {
			base.add(m)
			continue
		}
		old := randomMeeting(rng, n+k)
		old.ID = m.ID
		base.add(&old)
		over.add(m)
		deadIDs = append(deadIDs, m.ID)
	}
	for k := range n / 20 { // removed since the base was built
		old := randomMeeting(rng, 2*n+k)
		old.ID = int64(10*n + k)
		base.add(&old)
		deadIDs = append(deadIDs, old.ID)
	}
	v := &view{base: base.finish(), over: over.finish(), version: 1}
	v.dead = make([]uint64, (v.base.len()+63)/64)
	for _, id := range deadIDs {
		i := v.base.index(id)
		v.dead[i/64] |= 1 << (i % 64)
	}
	m := New(nil, nil, Options{})
	m.cur.Store(v)
	return mem, m
}

// propertyNows returns reference times for the property test: around
// every change of offset in 2026 of the DST zones (a minute, half an hour,
// hours and days either side, and random instants up to eight days
// away), around the turn of the week (Saturday to Sunday) in UTC and in
// the zones at the ends of the offsets, and at random, with nanoseconds.
func propertyNows(t *testing.T, rng *rand.Rand) []time.Time {
	t.Helper()
	var nows []time.Time
	jitter := func() time.Duration { return time.Duration(rng.Int64N(int64(time.Second))) }
	for _, name := range []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Auckland", "Antarctica/Troll", "Africa/Casablanca", "America/Santiago"} {
		loc, err := meeting.LoadZone(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range transitions(loc, 2026) {
			for _, d := range []time.Duration{-time.Minute, -30 * time.Minute, -time.Microsecond, 0, time.Microsecond, time.Minute, 30 * time.Minute, 90 * time.Minute, -3 * time.Hour, 5 * time.Hour, -25 * time.Hour, 24 * time.Hour} {
				nows = append(nows, tr.Add(d))
			}
			for range 4 {
				nows = append(nows, tr.Add(time.Duration(rng.Int64N(int64(16*24*time.Hour)))-8*24*time.Hour).Add(jitter()))
			}
		}
	}
	for _, name := range []string{"UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Etc/GMT+12", "Asia/Kathmandu"} {
		loc, err := meeting.LoadZone(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, sat := range []int{7, 28} { // Saturdays of March 2026: before and after the European change
			for _, hm := range [][2]int{{22, 0}, {23, 30}, {23, 59}, {0, 0}, {0, 30}} {
				day := sat
				if hm[0] < 12 {
					day++ // Sunday
				}
				nows = append(nows, time.Date(2026, 3, day, hm[0], hm[1], 0, 0, loc).Add(jitter()))
			}
		}
	}
	for range 40 {
		nows = append(nows, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(365*24*time.Hour)))))
	}
	return nows
}

// randomFilter returns a no-point filter at now, most of them with Today
// or UpcomingHours (or both), mixed with days, start times, attendance,
// types and a page size.
func randomFilter(rng *rand.Rand, now time.Time) meeting.Filter {
	f := meeting.Filter{Now: now, Limit: 1 + rng.IntN(40)}
	switch rng.IntN(10) {
	case 0: // neither: the time order as it always was
	case 1, 2, 3:
		f.Today = true
	case 4:
		f.Today = true
		f.UpcomingHours = []float64{1, 6, 24, 48}[rng.IntN(4)]
	default:
		f.UpcomingHours = []float64{0.25, 0.5, 1, 2, 3, 6, 12, 24, 48, 100, 167.9, 168, 1 + rng.Float64()*170}[rng.IntN(13)]
	}
	if rng.IntN(4) == 0 {
		for range 1 + rng.IntN(3) {
			f.Days = append(f.Days, meeting.Weekday(rng.IntN(7)))
		}
	}
	if rng.IntN(6) == 0 {
		c := meeting.Clock(rng.IntN(24 * 60))
		f.StartAfter = &c
	}
	if rng.IntN(6) == 0 {
		c := meeting.Clock(rng.IntN(24*60) + 1)
		f.StartBefore = &c
	}
	if rng.IntN(3) == 0 {
		f.Attendance = []meeting.Attendance{meeting.Attendances[rng.IntN(len(meeting.Attendances))]}
	}
	if rng.IntN(5) == 0 {
		f.Types = []string{[]string{"O", "C", "W", "M"}[rng.IntN(4)]}
	}
	return f
}

// pageKey is what the property test compares of a result.
type pageKey struct {
	ID         int64
	NextStart  time.Time
	InProgress bool
}

func keys(rs []meeting.Result) []pageKey {
	out := make([]pageKey, len(rs))
	for k, r := range rs {
		out[k] = pageKey{r.ID, r.NextStart, r.InProgress}
	}
	return out
}

// hitIDs returns the ids of hits.
func hitIDs(hits []hit) []int64 {
	var out []int64
	for _, h := range hits {
		out = append(out, h.s.id[h.i])
	}
	return out
}

// TestZoneOrderMatchesScan checks the zone windows of Today and
// UpcomingHours against the whole scan of the time order they replace,
// and both against memstore, the reference implementation, over random
// meetings in zones with and without daylight saving (base, dead and
// overlay meetings alike), random reference times (near changes of
// offset and the turn of the week) and random filters: every page of
// Find (ids, order and cursors), the streams merged from the time order
// alone, from the windows alone and as Find chooses, from the start and
// after random cursors, and Each's order by id.
func TestZoneOrderMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	mem, m := propertyModel(t, rng, 2000)
	ctx := context.Background()
	nows := propertyNows(t, rng)
	perNow := 4
	if testing.Short() {
		perNow = 1
	}
	var cases, windowed, pages, checked int
	for _, now := range nows {
		for range perNow {
			f := randomFilter(rng, now)
			cases++
			name := fmt.Sprintf("now %s filter %+v", now.UTC().Format(time.RFC3339Nano), f)
			q, err := m.prepare(ctx, "test", &f)
			if err != nil {
				t.Fatal(err)
			}
			// scan is the answer of the whole time order, the way every
			// no-point query was read before the zone order.
			scan := func(cur *meeting.Cursor) []int64 {
				var hits []hit
				mergeStreams(timeStreams(q.parts, cur, 0), func(h hit) bool {
					hits = append(hits, h)
					return true
				})
				return hitIDs(hits)
			}
			ref := scan(nil)
			for _, p := range q.parts {
				if zs, n, ok := zoneStreams(&p, nil, nil); ok && len(zs) > 0 && float64(n) < zoneShare*float64(p.timeSpan(0)) {
					windowed++
					break
				}
			}

			// The scan against memstore, now and then: it is slow.
			if cases%5 == 0 {
				want, err := mem.All(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				got, err := m.All(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := diffOf(keys(want), keys(got)); diff != "" {
					t.Fatalf("%s: All (-memstore +model):\n%s", name, diff)
				}
				var wantIDs []int64
				for _, r := range want {
					wantIDs = append(wantIDs, r.ID)
				}
				if diff := diffOf(wantIDs, ref); diff != "" {
					t.Fatalf("%s: the scan (-memstore +scan):\n%s", name, diff)
				}
				checked++
			}

			// Every page of Find (up to 20).
			g := f
			for page, from := 0, 0; page < 20; page++ {
				got, err := m.Find(ctx, g)
				if err != nil {
					t.Fatalf("%s: Find: %v", name, err)
				}
				pages++
				var ids []int64
				for _, r := range got.Results {
					ids = append(ids, r.ID)
				}
				to := min(from+f.Limit, len(ref))
				if diff := diffOf(ref[from:to:to], ids); diff != "" {
					t.Fatalf("%s, page %d (-scan +model):\n%s", name, page, diff)
				}
				if (got.NextCursor != nil) != (to < len(ref)) {
					t.Fatalf("%s, page %d of %d: cursor %+v", name, page, len(ref), got.NextCursor)
				}
				if got.NextCursor == nil {
					break
				}
				if want := meeting.CursorAfter(&got.Results[len(got.Results)-1], false); *got.NextCursor != *want {
					t.Fatalf("%s, page %d: cursor %+v, want %+v", name, page, got.NextCursor, want)
				}
				g.Cursor, from = got.NextCursor, to
			}

			// The merged streams after cursors: one just after a
			// result, one anywhere, one after everything.
			cursors := []*meeting.Cursor{nil, {Day: rng.IntN(7), Start: rng.IntN(24 * 60), ID: rng.Int64N(2200)}, {Day: 7, ID: 1 << 40}}
			if len(ref) > 0 {
				mt, err := m.Get(ctx, ref[rng.IntN(len(ref))])
				if err != nil {
					t.Fatal(err)
				}
				cursors = append(cursors, meeting.CursorAfter(&meeting.Result{Meeting: *mt}, false))
			}
			for _, cur := range cursors {
				want := ref
				if cur != nil {
					want = scan(cur)
				}
				for _, share := range []float64{zoneShare, math.Inf(1)} {
					var hits []hit
					mergeStreams(timeStreams(q.parts, cur, share), func(h hit) bool {
						hits = append(hits, h)
						return true
					})
					if diff := diffOf(want, hitIDs(hits)); diff != "" {
						t.Fatalf("%s, cursor %+v, share %v (-scan +model):\n%s", name, cur, share, diff)
					}
				}
				// One part read from its time order, the other from its
				// windows, as the share may choose.
				for whole := range q.parts {
					var streams []stream
					for k := range q.parts {
						if k == whole {
							streams = append(streams, timeStreams(q.parts[k:k+1], cur, 0)...)
						} else {
							streams = append(streams, timeStreams(q.parts[k:k+1], cur, math.Inf(1))...)
						}
					}
					var hits []hit
					mergeStreams(streams, func(h hit) bool {
						hits = append(hits, h)
						return true
					})
					if diff := diffOf(want, hitIDs(hits)); diff != "" {
						t.Fatalf("%s, cursor %+v, part %d whole (-scan +model):\n%s", name, cur, whole, diff)
					}
				}
			}

			// Each without a point: by id.
			wantByID := slices.Clone(ref)
			slices.Sort(wantByID)
			for _, share := range []float64{zoneShare, math.Inf(1)} {
				var hits []hit
				eachByID(q.parts, share, func(h hit) bool {
					hits = append(hits, h)
					return true
				})
				if diff := diffOf(wantByID, hitIDs(hits)); diff != "" {
					t.Fatalf("%s, by id, share %v (-scan +model):\n%s", name, share, diff)
				}
			}
		}
	}
	t.Logf("%d reference times, %d filters (%d read from zone windows, %d against memstore), %d pages", len(nows), cases, windowed, checked, pages)
	if windowed < cases/2 {
		t.Errorf("only %d of %d filters were read from zone windows", windowed, cases)
	}
}

// diffOf returns cmp.Diff of want and got, empty and nil alike, quickly
// when they are equal.
func diffOf[T comparable](want, got []T) string {
	if slices.Equal(want, got) {
		return ""
	}
	return cmp.Diff(want, got, cmpopts.EquateEmpty())
}

// TestZoneSpansHoldEveryMatch checks, minute by minute over the week, that
// the windows of upcoming and today hold every (day, start) that match
// keeps, for meetings as long as the window allows and a minute long, at
// reference times around every change of offset of the DST zones and at
// random, in zones with changes of every kind and at the ends of the
// offsets.
func TestZoneSpansHoldEveryMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	var nows []time.Time
	for _, name := range []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "Antarctica/Troll", "America/Santiago", "Pacific/Chatham"} {
		loc, err := meeting.LoadZone(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range transitions(loc, 2026) {
			for _, d := range []time.Duration{-25 * time.Hour, -6 * time.Hour, -150 * time.Minute, -time.Hour, -time.Minute, 0, 30 * time.Minute, 2 * time.Hour} {
				if rng.IntN(2) == 0 { // on the minute, or within it
					d += time.Duration(rng.Int64N(int64(time.Minute)))
				}
				nows = append(nows, tr.Add(d))
			}
		}
	}
	for range 10 {
		nows = append(nows, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.Int64N(int64(365*24*time.Hour)))))
	}
	var locs []*time.Location
	for _, name := range []string{"America/New_York", "America/Santiago", "Europe/London", "Africa/Casablanca", "Antarctica/Troll",
		"Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"} {
		loc, err := meeting.LoadZone(name)
		if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, loc)
	}
	checked := 0
	for _, now := range nows {
		now = now.Truncate(time.Microsecond)
		clocks := newZoneClocks(now)
		for _, cf := range []struct {
			hours float64
			today bool
		}{{0.5, false}, {3, false}, {26, false}, {26, true}} {
			c := &compiled{after: -1, before: -1, clocks: clocks, today: cf.today, upcoming: true,
				horizon: now.Add(time.Duration(cf.hours * float64(time.Hour))).Truncate(time.Microsecond).UnixNano()}
			for _, loc := range locs {
				k := clocks.get(zoneInfo{name: loc.String(), loc: loc})
				for _, maxDur := range []int{90, 24 * 60} {
					spans := c.zoneSpans(k, maxDur, nil)
					in := func(key int) bool {
						for _, sp := range spans {
							if sp.lo <= key && key <= sp.hi {
								return true
							}
						}
						return false
					}
					for key := range weekMinutes {
						day, start := key/minutesPerDay, key%minutesPerDay
						if cf.today && day != k.weekday {
							continue
						}
						for _, dur := range []int{1, maxDur} {
							if k.occurrence(day, start, dur) <= c.horizon && !in(key) {
								t.Fatalf("%s at %s, %v hours, today %v: day %d %02d:%02d lasting %d min matches, outside %v",
									loc, now.In(loc), cf.hours, cf.today, day, start/60, start%60, dur, spans)
							}
							checked++
						}
					}
				}
			}
		}
	}
	t.Logf("%d meetings checked at %d reference times", checked, len(nows))
}
