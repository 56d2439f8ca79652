package memindex

import (
	"math"

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
