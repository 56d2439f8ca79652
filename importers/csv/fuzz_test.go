package csv

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.[ct]sv")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Name,Day,Time,Coordinates,Types\nA,\"Mon, Wed\",8 pm,\"1,2\",\"[open]\"\n\"B,1,x\r\r"))
	f.Add([]byte("Name\tDay\n\xe9\t7\rNULL\t\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ms, ps, err := Parse(bytes.NewReader(data), Options{ImportOptions: meeting.ImportOptions{Source: "fuzz"}})
		if err != nil {
			if !meeting.IsKind(err, meeting.KindInvalid) {
				t.Fatalf("error kind %s: %v", meeting.ErrorKind(err), err)
			}
			return
		}
		for _, p := range ps {
			if p.Reason == "" || p.Record < 1 {
				t.Fatalf("bad problem %+v", p)
			}
		}
		ids := map[string]bool{}
		for _, m := range ms {
			if m.Source != "fuzz" || m.ExternalID == "" || ids[m.ExternalID] {
				t.Fatalf("meeting without source, id or with a repeated id: %+v", m)
			}
			ids[m.ExternalID] = true
			if err := m.Validate(); err != nil {
				t.Fatalf("meeting %q does not validate: %v", m.ExternalID, err)
			}
		}
	})
}
