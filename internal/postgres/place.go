package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// PlaceStore is meeting.PlaceFinder over the places materialized view
// (migrations/0005_places.sql): cities and postal codes of public
// meetings with their centre and meeting count.
type PlaceStore struct {
	db *DB
}

// NewPlaceStore returns a place finder over db.
func NewPlaceStore(db *DB) *PlaceStore { return &PlaceStore{db: db} }

var _ meeting.PlaceFinder = (*PlaceStore)(nil)

// Places returns up to limit places for q ("scran", "Scranton, PA",
// "18503", "pittson"): an exact name first, then names starting with q,
// then names that look like it (pg_trgm similarity), the busier first. The
// words after a comma narrow the match to a region or country.
func (s *PlaceStore) Places(ctx context.Context, q string, limit int) ([]meeting.Place, error) {
	const op = "postgres.Places"
	head, rest, _ := strings.Cut(q, ",")
	head = strings.TrimSpace(head)
	if head == "" {
		return nil, meeting.Errorf(meeting.KindInvalid, op, "the place query is empty")
	}
	if limit <= 0 {
		limit = 10
	}
	within := []string{} // region or country words after the comma
	for _, w := range strings.FieldsFunc(strings.ToUpper(rest), func(r rune) bool { return r == ',' || r == ' ' }) {
		within = append(within, w)
	}
	// q.prefix is the query as a LIKE prefix: its \, % and _ escaped, so
	// that "n_" matches names that start with "n_", not every "n" name.
	rows, err := s.db.Pool.Query(ctx, `
		WITH q AS (SELECT k, replace(replace(replace(k, '\', '\\'), '%', '\%'), '_', '\_') || '%' AS prefix
		           FROM search_normalize($1) AS k)
		SELECT p.kind, p.name, p.lat, p.lng, p.meetings
		FROM places p, q
		WHERE (p.key LIKE q.prefix OR p.key % q.k)
		  AND (cardinality($2::text[]) = 0 OR p.region = ANY($2) OR p.country = ANY($2))
		ORDER BY p.key = q.k DESC, p.key LIKE q.prefix DESC,
		         similarity(p.key, q.k) DESC, p.meetings DESC, p.name
		LIMIT $3`, head, within, limit)
	if err != nil {
		return nil, translate(op, err)
	}
	return scanPlaces(op, rows)
}

// Busiest returns up to limit cities with the most public meetings, the
// busiest first: the places a page offers to pick from without a search.
func (s *PlaceStore) Busiest(ctx context.Context, limit int) ([]meeting.Place, error) {
	const op = "postgres.Busiest"
	if limit <= 0 {
		limit = 10
	}
	rows, err := s.db.Pool.Query(ctx, `
		SELECT kind, name, lat, lng, meetings FROM places
		WHERE kind = 'city'
		ORDER BY meetings DESC, name
		LIMIT $1`, limit)
	if err != nil {
		return nil, translate(op, err)
	}
	return scanPlaces(op, rows)
}

// scanPlaces reads rows of kind, name, lat, lng and meetings, and closes
// them.
func scanPlaces(op string, rows pgx.Rows) ([]meeting.Place, error) {
	defer rows.Close()
	out := []meeting.Place{}
	for rows.Next() {
		var p meeting.Place
		if err := rows.Scan(&p.Kind, &p.Name, &p.Lat, &p.Lng, &p.Meetings); err != nil {
			return nil, translate(op, err)
		}
		out = append(out, p)
	}
	return out, translate(op, rows.Err())
}

// Refresh rebuilds the places view from the meetings, without blocking
// readers.
func (s *PlaceStore) Refresh(ctx context.Context) error {
	_, err := s.db.Pool.Exec(ctx, `REFRESH MATERIALIZED VIEW CONCURRENTLY places`)
	return translate("postgres.PlaceStore.Refresh", err)
}

var _ meeting.CentreFinder = (*PlaceStore)(nil)

// Centres implements meeting.CentreFinder over the places view: every
// postal code and city row whose key is one of postalCodes (lower case) or
// cities (search_normalize), with Key as asked.
func (s *PlaceStore) Centres(ctx context.Context, postalCodes, cities []string) ([]meeting.PlaceCentre, error) {
	const op = "postgres.Centres"
	if len(postalCodes) == 0 && len(cities) == 0 {
		return nil, nil
	}
	rows, err := s.db.Pool.Query(ctx, `
		SELECT 'postal_code', q.k, p.region, p.country, p.lat, p.lng, p.meetings
		FROM unnest($1::text[]) AS q(k) JOIN places p ON p.kind = 'postal_code' AND p.key = lower(btrim(q.k))
		UNION ALL
		SELECT 'city', q.k, p.region, p.country, p.lat, p.lng, p.meetings
		FROM unnest($2::text[]) AS q(k) JOIN places p ON p.kind = 'city' AND p.key = search_normalize(btrim(q.k))`,
		postalCodes, cities)
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	var out []meeting.PlaceCentre
	for rows.Next() {
		var c meeting.PlaceCentre
		var lat, lng float64
		if err := rows.Scan(&c.Kind, &c.Key, &c.Region, &c.Country, &lat, &lng, &c.Meetings); err != nil {
			return nil, translate(op, err)
		}
		c.Point = orb.Point{lng, lat}
		out = append(out, c)
	}
	return out, translate(op, rows.Err())
}
