package bench

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/demo"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// queryPoints returns n query points, deterministic for a seed: each near one
// of the demo generator's cities, chosen with the cities' weights (so busy
// cities get more queries, as they would in real use) and scattered around
// its centre with the city's spread, so that queries land in real clusters
// of meetings. Coordinates are rounded to six decimals, as a client would
// send them.
func queryPoints(seed int64, n int) []orb.Point {
	cities := demo.Cities()
	cum := make([]float64, len(cities))
	total := 0.0
	for i, c := range cities {
		total += c.Weight
		cum[i] = total
	}
	rnd := rand.New(rand.NewPCG(uint64(seed), 0x62656e6368)) // "bench"
	out := make([]orb.Point, n)
	for i := range out {
		c := cities[min(sortSearch(cum, rnd.Float64()*total), len(cities)-1)]
		spread := c.SpreadKm
		if spread == 0 {
			spread = 6
		}
		var dx, dy float64
		for {
			dx, dy = rnd.NormFloat64(), rnd.NormFloat64()
			if dx*dx+dy*dy <= 9 {
				break
			}
		}
		const kmPerDegree = 111.32
		lat := math.Max(-89.9, math.Min(89.9, c.Lat+dy*spread/kmPerDegree))
		lng := c.Lng + dx*spread/(kmPerDegree*math.Max(0.05, math.Cos(c.Lat*math.Pi/180)))
		if lng > 180 {
			lng -= 360
		} else if lng < -180 {
			lng += 360
		}
		out[i] = orb.Point{meeting.RoundCoord(lng), meeting.RoundCoord(lat)}
	}
	return out
}

// sortSearch returns the first index of ascending cum whose value exceeds x.
func sortSearch(cum []float64, x float64) int {
	i, _ := slices.BinarySearchFunc(cum, x, func(c, x float64) int {
		if c <= x {
			return -1
		}
		return 1
	})
	return i
}
