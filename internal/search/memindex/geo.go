package memindex

import (
	"math"
	"slices"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// A document's point is held twice: as a unit vector (x, y, z), whose
// chord to the query point orders distances exactly as the great circle
// does for a few multiplications instead of trigonometry, and as its cell
// of a grid of gridDeg degrees packed in four bytes (row << 16 | column),
// a column of four megabytes at a million meetings that stays in the
// processor's cache: a query with a point first drops the matches outside
// the cells around its circle on that column alone, reads the unit
// vectors of the others only, and measures the exact distance
// (meeting.DistanceM, PostGIS's) of the results it returns.

// gridDeg is the side of a cell, in degrees (about 11 km of latitude).
const gridDeg = 0.1

// gridRows and gridCols are the grid's size.
const (
	gridRows = 1800
	gridCols = 3600
)

// noCell is the cell of a document without a point: in no query's cells.
const noCell = math.MaxUint32

// cellOf returns the packed cell of (lon, lat).
func cellOf(lon, lat float64) uint32 {
	row := min(max(int(math.Floor((lat+90)/gridDeg)), 0), gridRows-1)
	col := min(max(int(math.Floor((lon+180)/gridDeg)), 0), gridCols-1)
	return uint32(row)<<16 | uint32(col)
}

// unitVector returns (lon, lat) in degrees on the unit sphere.
func unitVector(lon, lat float64) (x, y, z float64) {
	const rad = math.Pi / 180
	cl := math.Cos(lat * rad)
	return cl * math.Cos(lon*rad), cl * math.Sin(lon*rad), math.Sin(lat * rad)
}

// lonLat returns the point of a unit vector, in degrees.
func lonLat(x, y, z float64) orb.Point {
	const deg = 180 / math.Pi
	return orb.Point{math.Atan2(y, x) * deg, math.Asin(max(-1, min(1, z))) * deg}
}

// chordSlack is the relative margin kept around a chord compared with a
// radius, far above the rounding of either: a chord within it of the
// radius's is decided by the exact distance.
const chordSlack = 1e-9

// chord2 returns the squared chord of the unit sphere that spans d metres
// of great circle.
func chord2(d float64) float64 {
	c := 2 * math.Sin(math.Min(d/meeting.EarthRadiusM, math.Pi)/2)
	return c * c
}

// circle is a query's point and radius: the point on the unit sphere, the
// chord limits, and the grid cells that cover it.
type circle struct {
	pt         orb.Point
	radiusM    float64
	x, y, z    float64
	lo, hi     float64 // squared chords: surely within below lo, surely beyond above hi
	all        bool    // the cells cover every longitude or a pole: test every point
	row0, rows uint32  // rows row0 .. row0+rows
	cols       [2][2]uint32
	ncols      int
}

// newCircle returns the circle of r metres around p.
func newCircle(p orb.Point, r float64) circle {
	c := circle{pt: p, radiusM: r}
	c.x, c.y, c.z = unitVector(p.Lon(), p.Lat())
	c2 := chord2(r)
	c.lo, c.hi = c2*(1-chordSlack), c2*(1+chordSlack)
	const deg = 180 / math.Pi
	ang := r / meeting.EarthRadiusM
	dLat := ang*deg + gridDeg
	lat0, lat1 := p.Lat()-dLat, p.Lat()+dLat
	if ang >= math.Pi/2 || lat0 <= -90 || lat1 >= 90 {
		c.all = true
		return c
	}
	// The widest longitude of the cap, asin(sin r / cos lat), is at its
	// centre's latitude; at its most poleward latitude the same arc spans
	// more degrees: take that, on the safe side.
	s := math.Sin(ang) / math.Cos(math.Max(math.Abs(lat0), math.Abs(lat1))*math.Pi/180)
	if s >= 1 {
		c.all = true
		return c
	}
	dLng := math.Asin(s)*deg + gridDeg
	if dLng >= 180 {
		c.all = true
		return c
	}
	r0, r1 := cellOf(0, lat0)>>16, cellOf(0, lat1)>>16
	c.row0, c.rows = r0, r1-r0
	lng0, lng1 := p.Lon()-dLng, p.Lon()+dLng
	col := func(lng float64) uint32 { return cellOf(lng, 0) & 0xffff }
	switch {
	case lng0 < -180:
		c.cols, c.ncols = [2][2]uint32{{0, col(lng1)}, {col(lng0 + 360), gridCols - 1}}, 2
	case lng1 > 180:
		c.cols, c.ncols = [2][2]uint32{{0, col(lng1 - 360)}, {col(lng0), gridCols - 1}}, 2
	default:
		c.cols, c.ncols = [2][2]uint32{{col(lng0), col(lng1)}}, 1
	}
	return c
}

// inCells reports whether a document of cell may be within the circle.
func (c *circle) inCells(cell uint32) bool {
	if cell == noCell {
		return false
	}
	if c.all {
		return true
	}
	if cell>>16-c.row0 > c.rows { // unsigned: below row0 wraps high
		return false
	}
	col := cell & 0xffff
	if col >= c.cols[0][0] && col <= c.cols[0][1] {
		return true
	}
	return c.ncols == 2 && col >= c.cols[1][0] && col <= c.cols[1][1]
}

// within returns the squared chord of document vector (x, y, z) and
// whether it is within the circle, deciding the chords at the radius by
// the exact distance.
func (c *circle) within(x, y, z float64) (float64, bool) {
	dx, dy, dz := x-c.x, y-c.y, z-c.z
	d2 := dx*dx + dy*dy + dz*dz
	switch {
	case d2 <= c.lo:
		return d2, true
	case d2 > c.hi:
		return d2, false
	}
	return d2, meeting.DistanceM(c.pt, lonLat(x, y, z)) <= c.radiusM
}

// A part also holds its documents with a point by fine cell (fineDeg
// degrees, about a kilometre), for the search nearest first (search.go):
// the documents of a cell are one run of docs, cells in key order
// (row-major, so a row of cells along a parallel is one range of keys).

// fineDeg is the side of a fine cell, in degrees.
const fineDeg = 0.01

// fineCols is the number of fine cells around a parallel.
const fineCols = 36000

// fineRows is the number of fine cells from pole to pole.
const fineRows = 18000

// fineGrid is the documents with a point sorted by fine cell: keys the
// distinct cells, from[k]:from[k+1] the run of docs in keys[k].
type fineGrid struct {
	keys []uint32
	from []uint32
	docs []uint32
}

// fineCell returns the fine row and column of (lon, lat).
func fineCell(lon, lat float64) (row, col int) {
	row = min(max(int(math.Floor((lat+90)/fineDeg)), 0), fineRows-1)
	col = min(max(int(math.Floor((lon+180)/fineDeg)), 0), fineCols-1)
	return row, col
}

// buildFineGrid returns the fine grid of p's documents with a point.
func buildFineGrid(p *part) fineGrid {
	var es []uint64 // key << 32 | doc
	for d, c := range p.cell {
		if c == noCell {
			continue
		}
		pt := lonLat(p.xyz[3*d], p.xyz[3*d+1], p.xyz[3*d+2])
		row, col := fineCell(pt.Lon(), pt.Lat())
		es = append(es, uint64(row*fineCols+col)<<32|uint64(d))
	}
	slices.Sort(es)
	g := fineGrid{docs: make([]uint32, len(es))}
	for j, e := range es {
		g.docs[j] = uint32(e)
		if key := uint32(e >> 32); j == 0 || key != uint32(es[j-1]>>32) {
			g.keys = append(g.keys, key)
			g.from = append(g.from, uint32(j))
		}
	}
	g.from = append(g.from, uint32(len(es)))
	return g
}

// count returns the number of documents in the fine cell of (lon, lat).
func (g *fineGrid) count(lon, lat float64) int {
	row, col := fineCell(lon, lat)
	if k, ok := slices.BinarySearch(g.keys, uint32(row*fineCols+col)); ok {
		return int(g.from[k+1] - g.from[k])
	}
	return 0
}

// each calls fn with every document in the fine cells that cover the
// circle of r metres around (lon, lat) (every document with a point when
// they cover a pole or every longitude), until fn returns false.
func (g *fineGrid) each(lon, lat, r float64, fn func(d uint32) bool) {
	const deg = 180 / math.Pi
	ang := r / meeting.EarthRadiusM
	dLat := ang*deg + fineDeg
	lat0, lat1 := lat-dLat, lat+dLat
	s := math.Sin(ang) / math.Cos(math.Max(math.Abs(lat0), math.Abs(lat1))*math.Pi/180)
	if ang >= math.Pi/2 || lat0 <= -90 || lat1 >= 90 || s >= 1 || math.Asin(s)*deg+fineDeg >= 180 {
		for _, d := range g.docs {
			if !fn(d) {
				return
			}
		}
		return
	}
	dLng := math.Asin(s)*deg + fineDeg
	r0, _ := fineCell(0, lat0)
	r1, _ := fineCell(0, lat1)
	var spans [][2]int
	lng0, lng1 := lon-dLng, lon+dLng
	col := func(lng float64) int { _, c := fineCell(lng, 0); return c }
	switch {
	case lng0 < -180:
		spans = [][2]int{{0, col(lng1)}, {col(lng0 + 360), fineCols - 1}}
	case lng1 > 180:
		spans = [][2]int{{0, col(lng1 - 360)}, {col(lng0), fineCols - 1}}
	default:
		spans = [][2]int{{col(lng0), col(lng1)}}
	}
	for row := r0; row <= r1; row++ {
		for _, sp := range spans {
			lo, hi := uint32(row*fineCols+sp[0]), uint32(row*fineCols+sp[1])
			k, _ := slices.BinarySearch(g.keys, lo)
			for ; k < len(g.keys) && g.keys[k] <= hi; k++ {
				for _, d := range g.docs[g.from[k]:g.from[k+1]] {
					if !fn(d) {
						return
					}
				}
			}
		}
	}
}
