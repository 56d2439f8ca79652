package meeting

import (
	"context"

	"github.com/paulmach/orb"
)

// Place kinds.
const (
	PlaceCity       = "city"
	PlacePostalCode = "postal_code"
)

// Place is somewhere people can look for meetings near: a city or postal
// code with the centre of its meetings, from the imported listings
// themselves (or from a geocoder, with Meetings 0).
type Place struct {
	Name     string  // "Scranton, PA, US"
	Kind     string  // PlaceCity or PlacePostalCode
	Lat, Lng float64 // the centre, WGS 84
	Meetings int     // public meetings there
}

// PlaceFinder finds places whose name starts like q or resembles it. An
// empty q is KindInvalid; a dead backend KindUnavailable.
type PlaceFinder interface {
	Places(ctx context.Context, q string, limit int) ([]Place, error)
}

// PlaceCentre is the centre of the listed meetings of one place: a postal
// code (Kind PlacePostalCode) or a city (PlaceCity), named Key as the
// caller asked for it, with the Region and Country the listings give it,
// its centre Point ([lon, lat]) and how many Meetings it is the centre of.
type PlaceCentre struct {
	Kind     string
	Key      string
	Region   string
	Country  string
	Point    orb.Point
	Meetings int
}

// CentreFinder returns the centres of the places listings are grouped by
// (the places of PlaceFinder) for the postal codes and the cities asked
// about, in any region and country: the caller chooses among them. It
// matches postal codes case-insensitively and cities without case or
// accents. Errors are *Error; a dead backend is KindUnavailable.
type CentreFinder interface {
	Centres(ctx context.Context, postalCodes, cities []string) ([]PlaceCentre, error)
}
