package meetingguide

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meetingfinder/meetingfinder/importers/record"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestFieldOf(t *testing.T) {
	for i, k := range fieldKeys {
		if got := fieldOf(k); got != i {
			t.Errorf("fieldOf(%q) = %d, want %d", k, got, i)
		}
	}
	for _, k := range []string{"", "Name", "updated", "slug ", "region_"} {
		if got := fieldOf(k); got != -1 {
			t.Errorf("fieldOf(%q) = %d, want -1", k, got)
		}
	}
}

func TestCompactExcerpt(t *testing.T) {
	long := `{ "name" : "` + strings.Repeat("ab  ", 60) + `é" }`
	for _, raw := range []string{`{}`, `{ "a" : [ 1 , "x \" y" ] }`, " null ", long,
		`{"n": "` + strings.Repeat("é", 150) + `"}`, `["` + strings.Repeat(" ", 198) + `", 1]`} {
		var b bytes.Buffer
		if err := json.Compact(&b, []byte(raw)); err != nil {
			t.Fatal(err)
		}
		if got, want := compactExcerpt(raw), record.Excerpt(b.String()); got != want {
			t.Errorf("compactExcerpt(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestParseFastSameAsSlow(t *testing.T) {
	// Inputs the fast path takes, compared with the encoding/json path.
	for _, in := range []string{
		`[]`, ` [ ] `,
		`[{"slug":1,"name":"x","day":[0,1,"2"],"time":"8 pm","types":"[open]","coordinates":"1,2"}]`,
		`[{"name":"x","day":"7"}, null, 3, [], {"slug":"a","name":"<b>x</b>","attendance_option":"hybrid"}]`,
		`[{"n\u0061me":"a\u00e9\ud800x","slug":"s\"q","name":"b\u0000","day":1,"time":"1 pm","regions":null,"region":" r ","notes":"a\r\nb  c\u00a0d&amp;"}]`,
		"[{\"slug\":\"x\xff\",\"name\":\"y\\t\",\"day\":[1,2],\"time\":\"10:00\",\"latitude\":-1.5e3,\"longitude\":0,\"types\":[[1]]}]",
		`[{"slug":"a","name":"A","day":1,"time":"24:00","regions":["x",{"y":1}]},{"slug":"a","name":"A","day":1,"time":"25:00"}]`,
	} {
		iopts := meeting.ImportOptions{Source: "s", Program: meeting.ProgramAA}
		ms, ps, ok := parseFast(in, newConverter(iopts))
		if !ok {
			t.Errorf("parseFast(%q) refused", in)
			continue
		}
		wms, wps, err := parseSlow([]byte(in), newConverter(iopts))
		if err != nil || !reflect.DeepEqual(ms, wms) || !reflect.DeepEqual(ps, wps) {
			t.Errorf("parseFast(%q) = %+v, %+v; slow path %+v, %+v, %v", in, ms, ps, wms, wps, err)
		}
	}
	// Input it leaves to the slow path.
	for _, in := range []string{``, `null`, `{}`, `[1,]`, `[01]`, `[1.]`, `["\x"]`, "[\"\x01\"]", `[{"a" 1}]`, `[] x`,
		"\u00a0[]", `[` + strings.Repeat(`[`, maxDepth) + strings.Repeat(`]`, maxDepth) + `]`} {
		if _, _, ok := parseFast(in, newConverter(meeting.ImportOptions{})); ok {
			t.Errorf("parseFast(%q) accepted it", in)
		}
	}
}

// FuzzFastPath checks that the scanner of scan.go reads every input it
// accepts exactly as the encoding/json path does, and accepts only valid
// JSON.
func FuzzFastPath(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.json")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`[{"slug":1,"name":"x","day":[0,1,"2"],"time":"8 pm","types":"[open]","coordinates":"1,2"}]`))
	f.Add([]byte(`[{"name":"x","day":"7"}, null, 3, [], {"slug":"a","name":"<b>x</b>","attendance_option":"hybrid"}]`))
	f.Add([]byte(`[{"n\u0061me":"a\u00e9\ud800x","slug":"s","name":"b","day":1,"time":"1 pm","regions":null,"region":" r "}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		iopts := meeting.ImportOptions{Source: "fuzz", Program: meeting.ProgramAA}
		ms, ps, ok := parseFast(string(data), newConverter(iopts))
		if !ok {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("the fast path accepted invalid JSON")
		}
		wms, wps, err := parseSlow(data, newConverter(iopts))
		if err != nil {
			t.Fatalf("the fast path accepted what the slow path refuses: %v", err)
		}
		if !reflect.DeepEqual(ms, wms) || !reflect.DeepEqual(ps, wps) {
			t.Fatalf("fast path: %+v, %+v\nslow path: %+v, %+v", ms, ps, wms, wps)
		}
	})
}
