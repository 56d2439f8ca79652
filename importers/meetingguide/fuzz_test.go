package meetingguide

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/meetingfinder/meetingfinder/importers/record"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.json")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`[{"slug":1,"name":"x","day":[0,1,"2"],"time":"8 pm","types":"[open]","coordinates":"1,2"}]`))
	f.Add([]byte(`[{"name":"x","day":"7"}, null, 3, [], {"slug":"a","name":"<b>x</b>","attendance_option":"hybrid"}]`))
	f.Add([]byte(`{"a":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, ps, err := Parse(bytes.NewReader(data), Options{ImportOptions: meeting.ImportOptions{Source: "fuzz"}})
		if err != nil {
			if !meeting.IsKind(err, meeting.KindInvalid) {
				t.Fatalf("error kind %s, want invalid: %v", meeting.ErrorKind(err), err)
			}
			if ms != nil || ps != nil {
				t.Fatalf("meetings or problems returned with an error")
			}
			return
		}
		flagged := map[int]bool{}
		for _, p := range ps {
			if p.Reason == "" || p.Record < 1 || len(p.Raw) > record.MaxExcerpt {
				t.Fatalf("bad problem %+v", p)
			}
			if p.Severity == meeting.Flagged {
				flagged[p.Record] = true
			}
		}
		ids := map[string]bool{}
		for _, m := range ms {
			if m.Source != "fuzz" || m.ExternalID == "" {
				t.Fatalf("meeting without source or id: %+v", m)
			}
			if ids[m.ExternalID] {
				t.Fatalf("duplicate id %q returned", m.ExternalID)
			}
			ids[m.ExternalID] = true
			if err := m.Validate(); err != nil {
				t.Fatalf("meeting %q does not validate: %v", m.ExternalID, err)
			}
		}
	})
}
