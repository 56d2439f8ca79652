package meetingguide_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/feed/meetingguide"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestEncoderIsTheArrayEncoding checks that the streaming Encoder writes
// exactly what encoding/json writes for the whole array, for no, one and
// several meetings, HTML characters unescaped.
func TestEncoderIsTheArrayEncoding(t *testing.T) {
	ms := []meeting.Meeting{
		{ID: 1, Name: "Step & Tradition <Study>", Day: 1, Start: meeting.NewClock(19, 0), End: meeting.NoClock,
			Types: []string{"O", "ONL"}, UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)},
		{ID: 2, Name: "By appointment", ByAppointment: true, Start: meeting.NoClock, End: meeting.NoClock},
		{ID: 3, Name: "Lunch", Day: 3, Start: meeting.NewClock(12, 0), End: meeting.NewClock(13, 0),
			Location: meeting.Location{HasPoint: true, Address: "1 Main St"}},
	}
	for n := 0; n <= len(ms); n++ {
		objs := make([]meetingguide.Meeting, n)
		for i := range n {
			objs[i] = meetingguide.New(&ms[i])
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(objs); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := meetingguide.Encode(&got, ms[:n]); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want.String(), got.String()); d != "" {
			t.Errorf("%d meetings (-json.Encoder +Encoder):\n%s", n, d)
		}
	}
}
