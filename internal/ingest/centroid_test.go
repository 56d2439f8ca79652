package ingest

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// centres is a CentreFinder that knows a fixed list.
type centres []meeting.PlaceCentre

func (c centres) Centres(ctx context.Context, postalCodes, cities []string) ([]meeting.PlaceCentre, error) {
	var out []meeting.PlaceCentre
	for _, p := range c {
		for _, k := range append(append([]string(nil), postalCodes...), cities...) {
			if strings.EqualFold(p.Key, k) {
				q := p
				q.Key = k
				out = append(out, q)
			}
		}
	}
	return out, nil
}

func TestPlaceAtCentroids(t *testing.T) {
	at := func(id, city, region, postal, country string, p *orb.Point) meeting.Meeting {
		m := meeting.Meeting{ExternalID: id, Name: id, Attendance: meeting.AttendanceInPerson,
			Location: meeting.Location{Address: "1 Main St", City: city, Region: region, PostalCode: postal, Country: country}}
		if p != nil {
			m.Location.Point, m.Location.HasPoint = *p, true
		}
		return m
	}
	pt := func(lng, lat float64) *orb.Point { return &orb.Point{lng, lat} }
	ms := []meeting.Meeting{
		// The run's own places: two in 18503 (Scranton), one in Springfield IL, one in Springfield MA.
		at("s1", "Scranton", "PA", "18503", "US", pt(-75.66, 41.40)),
		at("s2", "Scranton", "PA", "18503", "US", pt(-75.68, 41.42)),
		at("il", "Springfield", "IL", "62701", "US", pt(-89.65, 39.80)),
		at("ma", "Springfield", "MA", "01103", "US", pt(-72.59, 42.10)),
		// To place.
		at("by-postal", "Scranton", "PA", "18503", "US", nil),
		at("by-city", "Scranton", "PA", "", "", nil),
		at("springfield-il", "Springfield", "IL", "", "US", nil),
		at("springfield-unknown", "Springfield", "", "", "US", nil),   // which one? not guessed
		at("from-the-database", "New York", "NY", "10003", "US", nil), // only the database knows it
		at("contradicted", "Roma", "", "00184", "Italy", nil),         // the database's 00184 is not in Italy here
		at("nowhere", "Atlantis", "", "", "", nil),
	}
	online := at("online", "Scranton", "PA", "18503", "US", nil)
	online.Attendance = meeting.AttendanceOnline
	ms = append(ms, online)
	approx := at("approx", "Scranton", "PA", "18504", "US", pt(-80, 35)) // an approximate point counts for nothing
	approx.Location.Approximate = true
	ms = append(ms, approx, at("by-18504", "Scranton", "PA", "18504", "US", nil))

	db := centres{
		{Kind: meeting.PlacePostalCode, Key: "10003", Country: "US", Point: orb.Point{-73.99, 40.73}, Meetings: 40},
		{Kind: meeting.PlacePostalCode, Key: "00184", Point: orb.Point{-73.99, 40.73}, Meetings: 1}, // no country: the point check refuses it
	}
	probs, n, err := placeAtCentroids(context.Background(), ms, db, newCachedZones(defaultZones))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]orb.Point{}
	for _, m := range ms {
		if m.Location.HasPoint && m.Location.Approximate {
			got[m.ExternalID] = m.Location.Point
		}
	}
	scranton := orb.Point{-75.67, 41.41}
	city := orb.Point{-75.67, 41.41} // the city's centre: the same two meetings
	want := map[string]orb.Point{"by-postal": scranton, "by-city": city, "springfield-il": {-89.65, 39.80},
		"from-the-database": {-73.99, 40.73}, "by-18504": scranton, "approx": {-80, 35}}
	if len(got) != len(want) {
		t.Errorf("placed %v, want %v", got, want)
	}
	for id, w := range want {
		if g, ok := got[id]; !ok || math.Abs(g[0]-w[0]) > 1e-9 || math.Abs(g[1]-w[1]) > 1e-9 {
			t.Errorf("%s at %v, want %v", id, g, w)
		}
	}
	if n != len(want)-1 || len(probs) != n {
		t.Errorf("%d placed, %d problems; want %d", n, len(probs), len(want)-1)
	}
	for _, p := range probs {
		if p.Severity != meeting.Flagged || p.Field != "location" || !strings.Contains(p.Reason, "placed at the centre") {
			t.Errorf("problem %+v", p)
		}
	}
}
