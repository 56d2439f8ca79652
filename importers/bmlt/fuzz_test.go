package bmlt

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// checkOutput asserts what holds for any input: an error comes alone, every
// problem has a reason and a record, every meeting has a source and an id
// and passes validation.
func checkOutput(t *testing.T, ms []meeting.Meeting, ps []meeting.Problem, err error) {
	t.Helper()
	if err != nil {
		if ms != nil || ps != nil {
			t.Fatalf("error %v came with %d meetings and %d problems", err, len(ms), len(ps))
		}
		if k := meeting.ErrorKind(err); k != meeting.KindInvalid {
			t.Fatalf("error kind %q (%v), want invalid", k, err)
		}
		return
	}
	for _, p := range ps {
		if p.Reason == "" || p.Record < 1 || (p.Severity != meeting.Rejected && p.Severity != meeting.Flagged) || len([]rune(p.Raw)) > 200 {
			t.Fatalf("bad problem %+v", p)
		}
	}
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Source == "" || m.ExternalID == "" {
			t.Fatalf("meeting without source or id: %+v", m)
		}
		if seen[m.ExternalID] {
			t.Fatalf("id %q returned twice", m.ExternalID)
		}
		seen[m.ExternalID] = true
		if err := m.Validate(); err != nil {
			t.Fatalf("meeting %s does not validate: %v", m.ExternalID, err)
		}
	}
}

// addFiles seeds f with every file in testdata whose name matches pattern.
func addFiles(f *testing.F, pattern string) {
	paths, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

func FuzzParse(f *testing.F) {
	addFiles(f, "*.json")
	for _, s := range []string{"", "[]", "[ ]", "{}", `{"meetings":[]}`, "null", `"x"`, "[42]", "[null]",
		`[{"id_bigint":"1","weekday_tinyint":"1","start_time":"24:00:00","duration_time":"24:00:00","meeting_name":"x","latitude":"1e999","longitude":"NaN","venue_type":"3"}]`,
		`{"meetings":[{"id_bigint":1,"formats":"VM,TC,HY","format_shared_id_list":"1,,2","virtual_meeting_link":"javascript:x"}],"formats":[{"id":"1","world_id":"LANG","key_string":"es"}]}`} {
		f.Add([]byte(s))
	}
	cat := Catalog{}
	if fs, err := ParseFormats(bytes.NewReader(mustRead(f, "testdata/formats.json"))); err == nil {
		cat.Formats = fs
	}
	if bs, err := ParseServiceBodies(bytes.NewReader(mustRead(f, "testdata/service-bodies.json"))); err == nil {
		cat.ServiceBodies = bs
	}
	if info, err := ParseServerInfo(bytes.NewReader(mustRead(f, "testdata/server-info.json"))); err == nil {
		cat.DefaultPoint = info.DefaultPoint
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, ps, err := Parse(bytes.NewReader(data), cat, testOpts)
		checkOutput(t, ms, ps, err)
		// The metadata parsers must not panic either.
		_, _ = ParseFormats(bytes.NewReader(data))
		_, _ = ParseServiceBodies(bytes.NewReader(data))
		_, _ = ParseServerInfo(bytes.NewReader(data))
	})
}

func FuzzParseNAWS(f *testing.F) {
	addFiles(f, "*.csv")
	for _, s := range []string{"", "Day,Time,bmlt_id\n", "Day,Time,bmlt_id\nMonday,0730,1\n", "Day,Time,Committee\nsun,2400,G1\nsun,2400,G1\n",
		"\"Day\",\"Time\",\"bmlt_id\"\n\"Mon\"day\",1,2\n", "Day,Time,bmlt_id,Format1,VirtualMeetingLink,City\nFriday,1900,3,VM,https://x.example/,T\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, ps, err := ParseNAWS(bytes.NewReader(data), testOpts)
		checkOutput(t, ms, ps, err)
	})
}

func mustRead(f *testing.F, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return data
}
