package meeting

import (
	"context"
	"strings"

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

// Geocode is what a geocoder answered for one address: whether it found
// a place, where ([lon, lat], WGS 84) and how precisely, as Nominatim's
// address rank (0–30: 30 a building or address, 26–27 a street, 16–25 a
// neighbourhood, town or postal code, lower a county, region or country;
// 0 when the geocoder did not say).
type Geocode struct {
	Found bool
	Point orb.Point
	Rank  int
}

// GeocodeExactRank is the lowest address rank that names a door: a house
// number, a building or a named place such as a church (28–30). A point
// of a lower rank is a street, a postal code or a town, approximate.
const GeocodeExactRank = 28

// Exact reports whether g is a door to walk to rather than a street or
// wider (GeocodeExactRank).
func (g Geocode) Exact() bool { return g.Found && g.Rank >= GeocodeExactRank }

// Geocoder turns an address into a point. An address it cannot place is
// not an error: the Geocode has Found false. An empty address is
// KindInvalid; a geocoder that cannot be reached, or answers an error,
// KindUnavailable.
type Geocoder interface {
	Geocode(ctx context.Context, address string) (Geocode, error)
}

// GeocodeCache keeps a geocoder's answers by query, the places it did not
// find too, so that an import of the same addresses makes no new
// requests. CachedGeocodes returns the answers it holds for queries
// (queries it holds none for are absent from the map); SaveGeocode
// records one, replacing any older answer. Errors are *Error.
type GeocodeCache interface {
	CachedGeocodes(ctx context.Context, queries []string) (map[string]Geocode, error)
	SaveGeocode(ctx context.Context, query string, g Geocode) error
}

// GeocodeKey is the key a geocoder's answer to q is kept under: q in
// lower case, runs of spaces folded, trimmed, so that "1 Main St,
// Springfield" and "1 MAIN ST,  Springfield" share one answer and one
// request.
func GeocodeKey(q string) string { return strings.Join(strings.Fields(strings.ToLower(q)), " ") }
