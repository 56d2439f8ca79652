package postgres

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestParsePoint(t *testing.T) {
	want := orb.Point{-74.006, 40.7128}
	le := ewkbPoint("SRID=4326;POINT(-74.006 40.7128)")
	be := make([]byte, 21) // big endian, no SRID
	binary.BigEndian.PutUint32(be[1:], 1)
	binary.BigEndian.PutUint64(be[5:], math.Float64bits(want[0]))
	binary.BigEndian.PutUint64(be[13:], math.Float64bits(want[1]))
	for name, b := range map[string][]byte{
		"binary EWKB":     le,
		"hex EWKB (text)": []byte(hex.EncodeToString(le)),
		"big-endian WKB":  be,
	} {
		if got, err := parsePoint(b); err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", name, got, err, want)
		}
	}
	line := append([]byte{}, le...)
	line[1] = 2 // a line string
	for name, b := range map[string][]byte{"short": le[:20], "not a point": line, "bad hex": []byte(hex.EncodeToString(le)[:48] + "zz")} {
		if _, err := parsePoint(b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
