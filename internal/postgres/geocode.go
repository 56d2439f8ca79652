package postgres

import (
	"context"

	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// GeocodeCache is meeting.GeocodeCache on the geocode_cache table.
// Queries are keyed as meeting.GeocodeKey folds them.
type GeocodeCache struct {
	db *DB
}

// NewGeocodeCache returns the geocode cache of db.
func NewGeocodeCache(db *DB) *GeocodeCache { return &GeocodeCache{db: db} }

var _ meeting.GeocodeCache = (*GeocodeCache)(nil)

// CachedGeocodes implements meeting.GeocodeCache: the answers held for
// queries, by query as given.
func (c *GeocodeCache) CachedGeocodes(ctx context.Context, queries []string) (map[string]meeting.Geocode, error) {
	const op = "postgres.CachedGeocodes"
	out := map[string]meeting.Geocode{}
	if len(queries) == 0 {
		return out, nil
	}
	keys := make([]string, len(queries))
	byKey := make(map[string][]string, len(queries))
	for i, q := range queries {
		keys[i] = meeting.GeocodeKey(q)
		byKey[keys[i]] = append(byKey[keys[i]], q)
	}
	rows, err := c.db.Pool.Query(ctx, `SELECT query, found, coalesce(lng, 0), coalesce(lat, 0), rank
		FROM geocode_cache WHERE query = ANY ($1)`, keys)
	if err != nil {
		return nil, translate(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var g meeting.Geocode
		var lng, lat float64
		var rank int16
		if err := rows.Scan(&key, &g.Found, &lng, &lat, &rank); err != nil {
			return nil, translate(op, err)
		}
		if g.Found {
			g.Point = orb.Point{lng, lat}
		}
		g.Rank = int(rank)
		for _, q := range byKey[key] {
			out[q] = g
		}
	}
	return out, translate(op, rows.Err())
}

// SaveGeocode implements meeting.GeocodeCache: it records g for query,
// replacing an older answer.
func (c *GeocodeCache) SaveGeocode(ctx context.Context, query string, g meeting.Geocode) error {
	const op = "postgres.SaveGeocode"
	key := meeting.GeocodeKey(query)
	if key == "" {
		return meeting.Errorf(meeting.KindInvalid, op, "the query is empty")
	}
	var lng, lat any
	if g.Found {
		lng, lat = g.Point.Lon(), g.Point.Lat()
	}
	rank := int16(max(0, min(30, g.Rank)))
	_, err := c.db.Pool.Exec(ctx, `INSERT INTO geocode_cache (query, found, lng, lat, rank) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (query) DO UPDATE SET found = excluded.found, lng = excluded.lng, lat = excluded.lat,
			rank = excluded.rank, geocoded_at = now()`, key, g.Found, lng, lat, rank)
	return translate(op, err)
}
