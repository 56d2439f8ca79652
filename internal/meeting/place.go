package meeting

import "context"

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
