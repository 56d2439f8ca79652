package readmodel

import (
	"cmp"
	"iter"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// cellDeg is the side of a cell of the spatial grid, in degrees (about
// 1.1 km of latitude). See the README's "Read model" section for why a
// grid: points are static between snapshots, a radius query reads a few
// dozen contiguous runs of a sorted array, and the whole index is three
// pointer-free slices.
const cellDeg = 0.01

// gridCols is the number of cells around a parallel.
const gridCols = 36000

// gridRows is the number of cells from pole to pole.
const gridRows = 18000

// snapshot is an immutable set of public meetings in compact,
// pointer-free columns, ordered by id. Index i of every column is the
// same meeting.
type snapshot struct {
	id       []int64
	lng, lat []float64
	// x, y, z is the point on the unit sphere: the chord between two of
	// them orders distances as the great circle does, for a few
	// multiplications instead of trigonometry.
	x, y, z  []float64
	hasPoint []bool
	// day is the weekday 0–6, or 7 for a meeting by appointment (the
	// order without a point reads coalesce(day, 7)); start and end are
	// minutes after midnight, -1 for none; dur is the duration in minutes
	// (meeting.Meeting.Duration).
	day        []int8
	start, end []int16
	dur        []int16
	zone       []uint16 // index into zones; 0 = none or not loadable
	attendance []uint8  // index into meeting.Attendances
	program    []uint8  // index into meeting.Programs
	source     []uint32 // index into sources
	area       []uint32 // index into areas
	types      []uint64 // typeWords words per meeting: the bits of typeBit
	typeWords  int
	rec        []uint32 // rec[i]:recEnd[i] is meeting i's record in arena
	recEnd     []uint32
	arena      []byte

	zones   []zoneInfo // zones[0] is "no zone"
	sources []string
	areas   [][]string
	typeBit map[string]int

	grid grid
	// byTime lists the meetings in the order without a point: (day,
	// start, id), by appointment last; dayFrom[d] is where day d begins in
	// it (dayFrom[8] = len).
	byTime  []uint32
	dayFrom [9]int
	// byZone lists the meetings that today and upcoming can keep (a day,
	// a start and a zone) grouped by zone and duration class, each group
	// a run in the order (day, start, id) of the zone's own wall clock;
	// zoneRuns are the groups (zoneorder.go).
	byZone   []uint32
	zoneRuns []zoneRun
}

// zoneInfo is one time zone of a snapshot.
type zoneInfo struct {
	name string
	loc  *time.Location
}

// grid is the spatial index: the meetings with a point sorted by cell
// (row-major: a row of cells along a parallel is one contiguous run of
// keys), keys the distinct cells, from[k]:from[k+1] the members of keys[k].
type grid struct {
	keys    []uint32
	from    []uint32
	members []uint32
}

// len returns the number of meetings.
func (s *snapshot) len() int { return len(s.id) }

// index returns the position of the meeting id, or -1.
func (s *snapshot) index(id int64) int {
	if i, ok := slices.BinarySearch(s.id, id); ok {
		return i
	}
	return -1
}

// meeting decodes meeting i.
func (s *snapshot) meeting(i int, m *meeting.Meeting) {
	decodeRecord(s.arena[s.rec[i]:s.recEnd[i]], m)
}

// each returns the sequence of meetings from to to (exclusive) by id,
// decoded into one Meeting reused for the next.
func (s *snapshot) each(from, to int) iter.Seq[*meeting.Meeting] {
	return func(yield func(*meeting.Meeting) bool) {
		var m meeting.Meeting
		for i := from; i < to; i++ {
			s.meeting(i, &m)
			if !yield(&m) {
				return
			}
		}
	}
}

// builder gathers meetings for a snapshot.
type builder struct {
	s       *snapshot
	zoneIdx map[string]uint16
	srcIdx  map[string]uint32
	areaIdx map[string]uint32
	// typeBits and typeFrom hold each meeting's type bits until typeWords
	// is known: meeting i's are typeBits[typeFrom[i]:typeFrom[i+1]].
	typeBits []uint16
	typeFrom []uint32
}

// recordGuess is the arena space reserved per meeting for a load, when
// only the number of meetings is known: a little above the records of
// real feeds, so that loading a
// million meetings does not copy the arena as it grows. Space reserved
// and never written costs address space, not memory.
const recordGuess = 640

// newBuilder returns a builder sized for about n meetings whose records
// take about arenaBytes.
func newBuilder(n, arenaBytes int) *builder {
	s := &snapshot{
		zones:   []zoneInfo{{}},
		typeBit: map[string]int{},
	}
	s.id = make([]int64, 0, n)
	s.lng, s.lat = make([]float64, 0, n), make([]float64, 0, n)
	s.x, s.y, s.z = make([]float64, 0, n), make([]float64, 0, n), make([]float64, 0, n)
	s.hasPoint = make([]bool, 0, n)
	s.day, s.start, s.end, s.dur = make([]int8, 0, n), make([]int16, 0, n), make([]int16, 0, n), make([]int16, 0, n)
	s.zone, s.attendance, s.program = make([]uint16, 0, n), make([]uint8, 0, n), make([]uint8, 0, n)
	s.source, s.area = make([]uint32, 0, n), make([]uint32, 0, n)
	s.rec, s.recEnd = make([]uint32, 0, n), make([]uint32, 0, n)
	s.arena = make([]byte, 0, arenaBytes)
	return &builder{s: s, zoneIdx: map[string]uint16{"": 0}, srcIdx: map[string]uint32{}, areaIdx: map[string]uint32{},
		typeBits: make([]uint16, 0, 2*n), typeFrom: make([]uint32, 0, n+1)}
}

// add appends m, which must be public, to the snapshot. It keeps nothing
// of m: its text is copied into the arena, and into the dictionaries when
// new (a loader's meeting may share its strings with a buffer reused for
// the next one).
func (b *builder) add(m *meeting.Meeting) {
	s := b.s
	s.id = append(s.id, m.ID)
	s.lng = append(s.lng, m.Location.Point.Lon())
	s.lat = append(s.lat, m.Location.Point.Lat())
	x, y, z := unitVector(m.Location.Point.Lon(), m.Location.Point.Lat())
	s.x, s.y, s.z = append(s.x, x), append(s.y, y), append(s.z, z)
	s.hasPoint = append(s.hasPoint, m.Location.HasPoint)
	day, start, end := int8(m.Day), int16(-1), int16(-1)
	if m.ByAppointment {
		day = 7
	} else if m.Start.Valid() {
		start = int16(m.Start)
	}
	if m.End.Valid() {
		end = int16(m.End)
	}
	s.day = append(s.day, day)
	s.start = append(s.start, start)
	s.end = append(s.end, end)
	s.dur = append(s.dur, int16(m.Duration()/time.Minute))
	s.zone = append(s.zone, b.zoneOf(m.TimeZone))
	s.attendance = append(s.attendance, uint8(max(slices.Index(meeting.Attendances, m.Attendance), 0)))
	s.program = append(s.program, uint8(max(slices.Index(meeting.Programs, m.Program), 0)))
	s.source = append(s.source, intern(b.srcIdx, &s.sources, m.Source))
	s.area = append(s.area, b.areaOf(m))
	if len(b.typeFrom) == 0 {
		b.typeFrom = append(b.typeFrom, 0)
	}
	for _, t := range m.Types {
		bit, ok := s.typeBit[t]
		if !ok {
			bit = len(s.typeBit)
			s.typeBit[strings.Clone(t)] = bit
		}
		b.typeBits = append(b.typeBits, uint16(bit))
	}
	b.typeFrom = append(b.typeFrom, uint32(len(b.typeBits)))
	s.rec = append(s.rec, uint32(len(s.arena)))
	s.arena = appendRecord(s.arena, m)
	s.recEnd = append(s.recEnd, uint32(len(s.arena)))
}

// zoneOf returns the index of the zone name, adding it; a name Go cannot
// load counts as no zone (such meetings have no occurrence and are never
// "today", as in PostgreSQL, where the query would fail instead).
func (b *builder) zoneOf(name string) uint16 {
	if i, ok := b.zoneIdx[name]; ok {
		return i
	}
	name = strings.Clone(name)
	loc, err := meeting.LoadZone(name)
	i := uint16(len(b.s.zones))
	if err != nil || len(b.s.zones) >= math.MaxUint16 {
		i = 0
	} else {
		b.s.zones = append(b.s.zones, zoneInfo{name: name, loc: loc})
	}
	b.zoneIdx[name] = i
	return i
}

// areaOf returns the index of m's area: its source and regions.
func (b *builder) areaOf(m *meeting.Meeting) uint32 {
	key := m.Source
	for _, r := range m.Location.Regions {
		key += "\x00" + r
	}
	if i, ok := b.areaIdx[key]; ok {
		return i
	}
	i := uint32(len(b.s.areas))
	area := []string{strings.Clone(m.Source)}
	for _, r := range m.Location.Regions {
		area = append(area, strings.Clone(r))
	}
	b.s.areas = append(b.s.areas, area)
	b.areaIdx[key] = i
	return i
}

// intern returns the index of v in *list, adding it.
func intern(idx map[string]uint32, list *[]string, v string) uint32 {
	if i, ok := idx[v]; ok {
		return i
	}
	i := uint32(len(*list))
	v = strings.Clone(v)
	*list = append(*list, v)
	idx[v] = i
	return i
}

// finish sorts the snapshot by id and builds its indexes.
func (b *builder) finish() *snapshot {
	s := b.s
	s.typeWords = max(1, (len(s.typeBit)+63)/64)
	s.types = make([]uint64, len(s.id)*s.typeWords)
	for i := range s.id {
		for _, bit := range b.typeBits[b.typeFrom[i]:b.typeFrom[i+1]] {
			s.types[i*s.typeWords+int(bit)/64] |= 1 << (bit % 64)
		}
	}
	b.typeBits, b.typeFrom = nil, nil
	if cap(s.arena)-len(s.arena) > len(s.arena)/8+4096 {
		// Give back what the size hint reserved and the records did not
		// fill: one copy at the end instead of one per doubling.
		s.arena = slices.Clone(s.arena)
	}
	if !slices.IsSorted(s.id) {
		b.sortByID()
	}
	s.grid = buildGrid(s)
	s.byTime, s.dayFrom = buildTimeOrder(s)
	s.byZone, s.zoneRuns = buildZoneOrder(s)
	return s
}

// sortByID reorders every column by id.
func (b *builder) sortByID() {
	s := b.s
	n := len(s.id)
	perm := make([]uint32, n)
	for i := range perm {
		perm[i] = uint32(i)
	}
	slices.SortFunc(perm, func(x, y uint32) int { return cmp.Compare(s.id[x], s.id[y]) })
	s.id = permute(s.id, perm)
	s.lng, s.lat = permute(s.lng, perm), permute(s.lat, perm)
	s.x, s.y, s.z = permute(s.x, perm), permute(s.y, perm), permute(s.z, perm)
	s.hasPoint = permute(s.hasPoint, perm)
	s.day, s.start, s.end, s.dur = permute(s.day, perm), permute(s.start, perm), permute(s.end, perm), permute(s.dur, perm)
	s.zone, s.attendance, s.program = permute(s.zone, perm), permute(s.attendance, perm), permute(s.program, perm)
	s.source, s.area = permute(s.source, perm), permute(s.area, perm)
	w := s.typeWords
	types := make([]uint64, len(s.types))
	for i, p := range perm {
		copy(types[i*w:(i+1)*w], s.types[int(p)*w:(int(p)+1)*w])
	}
	s.types = types
	// Records stay where they are in the arena; only their bounds move.
	s.rec, s.recEnd = permute(s.rec, perm), permute(s.recEnd, perm)
}

// permute returns v reordered so that element i is v[perm[i]].
func permute[T any](v []T, perm []uint32) []T {
	out := make([]T, len(v))
	for i, p := range perm {
		out[i] = v[p]
	}
	return out
}

// unitVector returns the point (lng, lat) in degrees on the unit sphere.
func unitVector(lng, lat float64) (x, y, z float64) {
	const rad = math.Pi / 180
	cl := math.Cos(lat * rad)
	return cl * math.Cos(lng*rad), cl * math.Sin(lng*rad), math.Sin(lat * rad)
}

// cellOf returns the grid row and column of a point.
func cellOf(lng, lat float64) (row, col int) {
	row = int(math.Floor((lat + 90) / cellDeg))
	col = int(math.Floor((lng + 180) / cellDeg))
	return min(max(row, 0), gridRows-1), min(max(col, 0), gridCols-1)
}

// buildGrid sorts the meetings with a point by cell.
func buildGrid(s *snapshot) grid {
	type entry struct{ key, i uint32 }
	var es []entry
	for i := range s.id {
		if s.hasPoint[i] {
			r, c := cellOf(s.lng[i], s.lat[i])
			es = append(es, entry{uint32(r*gridCols + c), uint32(i)})
		}
	}
	slices.SortFunc(es, func(a, b entry) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.i, b.i)) })
	g := grid{members: make([]uint32, len(es))}
	for j, e := range es {
		g.members[j] = e.i
		if j == 0 || e.key != es[j-1].key {
			g.keys = append(g.keys, e.key)
			g.from = append(g.from, uint32(j))
		}
	}
	g.from = append(g.from, uint32(len(es)))
	return g
}

// sortStart is the start in the order without a point: 0 for a meeting by
// appointment (coalesce(start_time, '00:00')).
func (s *snapshot) sortStart(i int) int {
	if s.day[i] == 7 || s.start[i] < 0 {
		return 0
	}
	return int(s.start[i])
}

// compareTime orders meeting i against the key (day, start, id).
func (s *snapshot) compareTime(i int, day, start int, id int64) int {
	return cmp.Or(cmp.Compare(int(s.day[i]), day), cmp.Compare(s.sortStart(i), start), cmp.Compare(s.id[i], id))
}

// buildTimeOrder returns the meetings in (day, start, id) order and where
// each day begins. The meetings are in id order already, so a stable
// counting sort on (day, start), a few thousand buckets, gives the order
// in two passes.
func buildTimeOrder(s *snapshot) ([]uint32, [9]int) {
	const perDay = 24 * 60
	bucket := func(i int) int { return int(s.day[i])*perDay + s.sortStart(i) }
	count := make([]int, 8*perDay+1)
	for i := range s.id {
		count[bucket(i)+1]++
	}
	for k := 1; k < len(count); k++ {
		count[k] += count[k-1]
	}
	var from [9]int
	for d := range from {
		from[d] = count[min(d*perDay, len(count)-1)]
	}
	order := make([]uint32, len(s.id))
	for i := range s.id {
		b := bucket(i)
		order[count[b]] = uint32(i)
		count[b]++
	}
	return order, from
}
