package meeting

import (
	"math"

	"github.com/paulmach/orb"
)

// EarthRadiusM is the radius of the sphere PostGIS measures geography on
// when asked for no spheroid (ST_DWithin(…, false) and <->): the mean
// radius of WGS 84, (2a + b) / 3.
const EarthRadiusM = (2*6378137.0 + 6356752.314245179) / 3

// DistanceM returns the great-circle distance in metres between points a
// and b ([lon, lat] in degrees) on the sphere of PostGIS's geography
// distance (sphere_distance in liblwgeom), so that radius and order agree
// with PostgreSQL's to a fraction of a millimetre.
func DistanceM(a, b orb.Point) float64 {
	const rad = math.Pi / 180
	slat, elat := a.Lat()*rad, b.Lat()*rad
	dlon := (b.Lon() - a.Lon()) * rad
	x := math.Cos(elat) * math.Sin(dlon)
	y := math.Cos(slat)*math.Sin(elat) - math.Sin(slat)*math.Cos(elat)*math.Cos(dlon)
	z := math.Sin(slat)*math.Sin(elat) + math.Cos(slat)*math.Cos(elat)*math.Cos(dlon)
	return math.Atan2(math.Sqrt(x*x+y*y), z) * EarthRadiusM
}
