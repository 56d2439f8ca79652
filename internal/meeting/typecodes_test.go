package meeting_test

import (
	"slices"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestTypeCodes(t *testing.T) {
	for _, tc := range []struct {
		term string
		want []string // must contain these
		not  []string // must not contain these
	}{
		{"women", []string{"W"}, []string{"M"}},
		{"womens", []string{"W"}, nil},
		{"mujeres", []string{"W"}, nil},
		{"big", []string{"B"}, nil},
		{"bo", []string{"B"}, nil},
		{"book", []string{"B"}, nil},
		{"spanish", []string{"S"}, nil},
		{"espanol", []string{"S"}, nil},
		{"español", []string{"S"}, nil},
		{"spanich", []string{"S"}, nil},
		{"speaker", []string{"SP"}, nil},
		{"x", nil, nil},
		{"zzz", nil, []string{"W", "B"}},
	} {
		got := meeting.TypeCodes(tc.term)
		for _, c := range tc.want {
			if !slices.Contains(got, c) {
				t.Errorf("TypeCodes(%q) = %v, want it to contain %s", tc.term, got, c)
			}
		}
		for _, c := range tc.not {
			if slices.Contains(got, c) {
				t.Errorf("TypeCodes(%q) = %v, want no %s", tc.term, got, c)
			}
		}
		if tc.want == nil && tc.not == nil && got != nil {
			t.Errorf("TypeCodes(%q) = %v, want none", tc.term, got)
		}
	}
}

func TestFold(t *testing.T) {
	if got := meeting.Fold("Ñandú Çà Straße"); got != "nandu ca strasse" {
		t.Errorf("Fold = %q", got)
	}
}
