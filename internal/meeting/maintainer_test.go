package meeting_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

func TestMaintainerTidy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      meeting.Maintainer
		want    meeting.Maintainer
		dropped []string
	}{
		{name: "kept as given",
			in: meeting.Maintainer{FeedbackEmails: []string{"meetings@intergroup.example.org"}, FeedbackURL: "https://intergroup.example.org/fix",
				Entity: "Example Intergroup", EntityEmail: "office@intergroup.example.org", EntityLocation: "Scranton, PA",
				EntityLogo: "https://intergroup.example.org/logo.svg", EntityPhone: "+1-570-555-0100", EntityURL: "https://intergroup.example.org"},
			want: meeting.Maintainer{FeedbackEmails: []string{"meetings@intergroup.example.org"}, FeedbackURL: "https://intergroup.example.org/fix",
				Entity: "Example Intergroup", EntityEmail: "office@intergroup.example.org", EntityLocation: "Scranton, PA",
				EntityLogo: "https://intergroup.example.org/logo.svg", EntityPhone: "+1-570-555-0100", EntityURL: "https://intergroup.example.org"}},
		{name: "a spreadsheet's comma list, repeats and mailto: prefixes",
			in:   meeting.Maintainer{FeedbackEmails: []string{" a@example.org, b@example.org;mailto:A@example.org ", "", "c@example.org"}},
			want: meeting.Maintainer{FeedbackEmails: []string{"a@example.org", "b@example.org", "c@example.org"}}},
		{name: "not e-mail addresses",
			in:      meeting.Maintainer{FeedbackEmails: []string{"call Bob", "x@y", "ok@example.org"}, EntityEmail: "office at example dot org"},
			want:    meeting.Maintainer{FeedbackEmails: []string{"ok@example.org"}},
			dropped: []string{"maintainer.entity_email", "maintainer.feedback_emails"}},
		{name: "feedback by mailto:, logo over http",
			in:   meeting.Maintainer{FeedbackURL: "mailto:fix%40example.org?subject=Meeting", EntityLogo: "http://example.org/l.png"},
			want: meeting.Maintainer{FeedbackURL: "mailto:fix%40example.org?subject=Meeting", EntityLogo: "http://example.org/l.png"}},
		{name: "bad URLs",
			in:      meeting.Maintainer{FeedbackURL: "javascript:alert(1)", EntityURL: "intergroup.example.org", EntityLogo: "data:image/svg+xml,<svg/>", Entity: "  E  "},
			want:    meeting.Maintainer{Entity: "E"},
			dropped: []string{"maintainer.entity_logo", "maintainer.entity_url", "maintainer.feedback_url"}},
		{name: "too many addresses",
			in:      meeting.Maintainer{FeedbackEmails: []string{"1@e.org,2@e.org,3@e.org,4@e.org,5@e.org,6@e.org,7@e.org,8@e.org,9@e.org"}},
			want:    meeting.Maintainer{FeedbackEmails: []string{"1@e.org", "2@e.org", "3@e.org", "4@e.org", "5@e.org", "6@e.org", "7@e.org", "8@e.org"}},
			dropped: []string{"maintainer.feedback_emails"}},
		{name: "too long",
			in:      meeting.Maintainer{Entity: strings.Repeat("x", meeting.MaxShortLen+1)},
			dropped: []string{"maintainer.entity"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := tc.in
			dropped := x.Tidy()
			if d := cmp.Diff(tc.want, x, cmp.Comparer(func(a, b []string) bool { return strings.Join(a, "|") == strings.Join(b, "|") })); d != "" {
				t.Errorf("tidied (-want +got):\n%s", d)
			}
			var names []string
			for f, why := range dropped {
				names = append(names, f)
				for _, v := range append(append([]string{}, tc.in.FeedbackEmails...), tc.in.EntityEmail, tc.in.FeedbackURL) {
					if v != "" && strings.Contains(why, v) {
						t.Errorf("the reason for %s quotes the value: %s", f, why)
					}
				}
			}
			if d := cmp.Diff(tc.dropped, sortStrings(names)); d != "" {
				t.Errorf("dropped (-want +got):\n%s", d)
			}
			m := valid()
			m.Maintainer = x
			if err := m.Validate(); err != nil {
				t.Errorf("a tidied maintainer does not validate: %v", err)
			}
			m.Maintainer = tc.in
			if err := m.Validate(); len(tc.dropped) > 0 && !meeting.IsKind(err, meeting.KindInvalid) {
				t.Errorf("what Tidy leaves out validates: %v", err)
			}
		})
	}
}

func sortStrings(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	return s
}
