package bmlt

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestParseFormatsFixture(t *testing.T) {
	fs, err := ParseFormats(openFile(t, "testdata/formats.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 27 {
		t.Errorf("got %d formats, want 27", len(fs))
	}
	want := Format{ID: "1", KeyString: "B", Name: "Beginners", Description: "Synthetic format for tests.", Lang: "en", WorldID: "BEG", Type: "FC3"}
	if diff := cmp.Diff(want, fs[0]); diff != "" {
		t.Errorf("first format (-want +got):\n%s", diff)
	}
}

func TestParseFormatsShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     []Format
		wantKind meeting.Kind
	}{
		{name: "array", in: `[{"id":"17","key_string":"O","world_id":"OPEN","lang":"en"}]`, want: []Format{{ID: "17", KeyString: "O", WorldID: "OPEN", Lang: "en"}}},
		{name: "formats object", in: `{"formats":[{"id":17,"key_string":"O","world_id":"OPEN"}]}`, want: []Format{{ID: "17", KeyString: "O", WorldID: "OPEN"}}},
		{name: "empty array", in: `[]`, want: []Format{}},
		{name: "object without formats", in: `{"meetings":[]}`, wantKind: meeting.KindInvalid},
		{name: "string", in: `"x"`, wantKind: meeting.KindInvalid},
		{name: "not JSON", in: `oops`, wantKind: meeting.KindInvalid},
		{name: "empty", in: ``, wantKind: meeting.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFormats(strings.NewReader(tt.in))
			if k := meeting.ErrorKind(err); k != tt.wantKind {
				t.Fatalf("error kind = %q (%v), want %q", k, err, tt.wantKind)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseServiceBodiesFixture(t *testing.T) {
	bs, err := ParseServiceBodies(openFile(t, "testdata/service-bodies.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := ServiceBody{ID: "10", ParentID: "1", Name: "Synthetic Area", Description: "Synthetic service body for tests.", Type: "AS", URL: "https://example.org/"}
	if len(bs) != 5 {
		t.Fatalf("got %d service bodies, want 5", len(bs))
	}
	if diff := cmp.Diff(want, bs[1]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ParseServiceBodies(strings.NewReader(`{"id":"1"}`)); !meeting.IsKind(err, meeting.KindInvalid) {
		t.Errorf("an object: error %v, want kind invalid", err)
	}
}

func TestParseServerInfo(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     ServerInfo
		wantKind meeting.Kind
	}{
		{
			name: "array of one",
			in:   `[{"version":"4.2.6","versionInt":"4002006","langs":"en,de","nativeLang":"en","centerLongitude":"-75.5","centerLatitude":"40.25","defaultDuration":"01:30","regionBias":"us","distanceUnits":"mi","available_keys":"id_bigint, start_time","aggregator_mode_enabled":true,"google_api_key":"k"}]`,
			want: ServerInfo{Version: "4.2.6", VersionInt: 4002006, Langs: []string{"en", "de"}, NativeLang: "en", DefaultPoint: &orb.Point{-75.5, 40.25},
				DefaultDuration: 90 * time.Minute, RegionBias: "us", DistanceUnits: "mi", AvailableKeys: []string{"id_bigint", "start_time"}, AggregatorMode: true},
		},
		{name: "bare object, centre 0,0", in: `{"version":"3.0.0","centerLongitude":"0","centerLatitude":"0","defaultDuration":"bad"}`, want: ServerInfo{Version: "3.0.0"}},
		{name: "centre out of range", in: `[{"centerLongitude":"-200","centerLatitude":"40"}]`, want: ServerInfo{}},
		{name: "empty array", in: `[]`, wantKind: meeting.KindInvalid},
		{name: "string", in: `"4.2.6"`, wantKind: meeting.KindInvalid},
		{name: "not JSON", in: `{`, wantKind: meeting.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseServerInfo(strings.NewReader(tt.in))
			if k := meeting.ErrorKind(err); k != tt.wantKind {
				t.Fatalf("error kind = %q (%v), want %q", k, err, tt.wantKind)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestSearchURLs(t *testing.T) {
	want := URLs{
		ServerInfo:    "https://bmlt.example.org/main_server/client_interface/json/?switcher=GetServerInfo",
		ServiceBodies: "https://bmlt.example.org/main_server/client_interface/json/?switcher=GetServiceBodies",
		Formats:       "https://bmlt.example.org/main_server/client_interface/json/?show_all=1&switcher=GetFormats",
		SearchResults: "https://bmlt.example.org/main_server/client_interface/json/?get_used_formats=1&switcher=GetSearchResults",
	}
	for _, root := range []string{"https://bmlt.example.org/main_server", "https://bmlt.example.org/main_server/", " https://bmlt.example.org/main_server// "} {
		got, err := SearchURLs(root)
		if err != nil {
			t.Fatalf("%q: %v", root, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", root, diff)
		}
	}
	got, err := SearchURLs("http://example.org")
	if err != nil {
		t.Fatal(err)
	}
	if w := "http://example.org/client_interface/json/?switcher=GetServerInfo"; got.ServerInfo != w {
		t.Errorf("host-only root: ServerInfo = %q, want %q", got.ServerInfo, w)
	}
	for _, bad := range []string{"", "bmlt.example.org/main_server", "ftp://example.org/", "https://example.org/?x=1", "https://user:pw@example.org/", "/main_server"} {
		if _, err := SearchURLs(bad); !meeting.IsKind(err, meeting.KindInvalid) {
			t.Errorf("SearchURLs(%q) error = %v, want kind invalid", bad, err)
		}
	}
}

func TestCodes(t *testing.T) {
	// World ids map to the vocabulary; LANG by the key_string's language.
	tests := []struct {
		name     string
		formats  []Format
		want     []string
		wantFlag string
	}{
		{name: "vocabulary", formats: []Format{{WorldID: "OPEN"}, {WorldID: "CLOSED"}, {WorldID: "WCHR"}, {WorldID: "BEG"}, {WorldID: "SPK"}, {WorldID: "DISC"}, {WorldID: "STEP"}, {WorldID: "TRAD"},
			{WorldID: "LIT"}, {WorldID: "MED"}, {WorldID: "M"}, {WorldID: "W"}, {WorldID: "Y"}, {WorldID: "GL"}, {WorldID: "CAN"}, {WorldID: "SMOK"}, {WorldID: "CW"}, {WorldID: "NS"}},
			want: []string{"BE", "C", "CAN", "CF", "D", "LGBTQ", "LIT", "M", "MED", "NS", "O", "SM", "SP", "ST", "TR", "W", "X", "Y"}},
		{name: "venue formats", formats: []Format{{WorldID: "VM"}, {WorldID: "HYBR"}, {WorldID: "TC"}}, want: []string{"TC"}},
		{name: "languages", formats: []Format{{KeyString: "ES", WorldID: "LANG"}, {KeyString: "de", WorldID: "LANG"}, {KeyString: "pt", WorldID: "", Type: "LANG"}, {KeyString: "sp", Name: "Spanish", WorldID: "LANG"}},
			want: []string{"DE", "POR", "S"}},
		{name: "NA's own", formats: []Format{{KeyString: "JT", WorldID: "JFT"}, {KeyString: "B", WorldID: "BT"}, {KeyString: "RA", WorldID: "RA"}},
			want: []string{"BT", "JFT", "RA"}},
		{name: "unknown", formats: []Format{{KeyString: "ZZ", WorldID: "ZZQ"}, {KeyString: "Pi", Name: "Pitch"}, {KeyString: "q", WorldID: "has space"}},
			want: []string{"ZZQ"}, wantFlag: `unknown codes kept verbatim: ZZQ; formats not mapped: Pi Pitch (no world_id), q (world_id "has space" is not a code)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c codes
			for _, f := range tt.formats {
				c.addFormat(f)
			}
			if diff := cmp.Diff(tt.want, c.list()); diff != "" {
				t.Errorf("types (-want +got):\n%s", diff)
			}
			if got := c.report(); got != tt.wantFlag {
				t.Errorf("report = %q, want %q", got, tt.wantFlag)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestReadFailure(t *testing.T) {
	if _, _, err := Parse(failingReader{}, Catalog{}, testOpts); !meeting.IsKind(err, meeting.KindUnavailable) {
		t.Errorf("Parse: %v, want kind unavailable", err)
	}
	if _, _, err := ParseNAWS(failingReader{}, testOpts); !meeting.IsKind(err, meeting.KindUnavailable) {
		t.Errorf("ParseNAWS: %v, want kind unavailable", err)
	}
	if _, err := ParseFormats(failingReader{}); !meeting.IsKind(err, meeting.KindUnavailable) {
		t.Errorf("ParseFormats: %v, want kind unavailable", err)
	}
}
