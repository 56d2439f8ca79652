package jsonw

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// encode is what encoding/json writes for v, with or without HTML escaping.
func encode(t testing.TB, v any, html bool) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func FuzzAppendText(f *testing.F) {
	for _, s := range []string{"", "plain", `quote " back \ slash`, "<b>&</b>", "tab\tnl\ncr\r\x00\x1f", "\u2028\u2029",
		"reunión Genève 日本 🙂", "bad \xff utf8 \xe2\x82", "\x7f del"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, html := range []bool{true, false} {
			if got, want := string(AppendText(nil, s, html)), encode(t, s, html); got != want {
				t.Fatalf("AppendText(%q, html=%v) = %s, encoding/json writes %s", s, html, got, want)
			}
		}
	})
}

func TestAppendFloatAndStrings(t *testing.T) {
	for _, f := range []float64{0, -0.0, 1, -73.985512, 40.758, 1e-7, 123456789e15, 1e21, math.SmallestNonzeroFloat64, 0.000001} {
		if got, want := string(AppendFloat(nil, f)), encode(t, f, true); got != want {
			t.Errorf("AppendFloat(%v) = %s, encoding/json writes %s", f, got, want)
		}
	}
	for _, l := range [][]string{nil, {}, {"a"}, {"O", "<W>", "\"x\""}} {
		want := encode(t, l, true)
		if l == nil {
			want = "[]"
		}
		if got := string(AppendStrings(nil, l)); got != want {
			t.Errorf("AppendStrings(%q) = %s, want %s", l, got, want)
		}
	}
}
