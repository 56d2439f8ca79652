package meeting_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// TestProgramTypeCodes reads feeds' codes and names in their programs'
// own vocabularies.
func TestProgramTypeCodes(t *testing.T) {
	for _, tc := range []struct {
		p     meeting.Program
		in    string
		want  []string
		known bool
	}{
		{meeting.ProgramAA, "SP", []string{"SP"}, true},
		{meeting.ProgramACA, "SP", []string{"S"}, true}, // Spanish in ACA's list
		{meeting.ProgramACA, "S", []string{"SP"}, true}, // and Speaker
		{meeting.ProgramACA, "sp", []string{"S"}, true},
		{meeting.ProgramACA, "Spanish", []string{"S"}, true},
		{meeting.ProgramACA, "T", []string{"TEXT"}, true},
		{meeting.ProgramACA, "A", []string{"ADULTS-ONLY"}, true},
		{meeting.ProgramACA, "W", []string{"W"}, true}, // shared with the specification
		{meeting.ProgramAA, "Y", []string{"Y"}, true},
		{meeting.ProgramAlAnon, "Y", []string{"ALATEEN"}, true},
		{meeting.ProgramAlAnon, "POA", []string{"PARENTS"}, true},
		{meeting.ProgramAA, "POA", []string{"POA"}, true}, // Proof of Attendance
		{meeting.ProgramNA, "JFT", []string{"JFT"}, true},
		{meeting.ProgramNA, "Just For Today Study", []string{"JFT"}, true},
		{meeting.ProgramNA, "SPK", []string{"SP"}, true},
		{meeting.ProgramNA, "GL", []string{"LGBTQ"}, true},
		{meeting.ProgramOA, "SD", []string{"SP", "D"}, true},
		{meeting.ProgramOA, "D", []string{"TOP"}, true},
		{meeting.ProgramDA, "B", []string{"BUSINESS-OWNER"}, true},
		{meeting.ProgramDA, "N", []string{"NUMBERS"}, true},
		{meeting.ProgramAA, "N", []string{"N"}, true},
		{meeting.ProgramSLAA, "HR", []string{"HEALTHY-RELATIONSHIPS"}, true},
		{meeting.ProgramAA, "HR", []string{"HR"}, true}, // Croatian
		{meeting.ProgramRecoveryDharma, "IW", []string{"INQUIRY-WRITING"}, true},
		{meeting.ProgramRefugeRecovery, "IW", []string{"INVENTORY-WRITING"}, true},
		{meeting.ProgramNA, "IW", []string{"IW"}, true},
		{meeting.ProgramSMART, "W", []string{"W"}, true}, // no vocabulary of its own: the specification's
		{meeting.ProgramACA, "Martian", []string{"Martian"}, false},
		{meeting.ProgramACA, " ", nil, false},
	} {
		got, known := meeting.ProgramTypeCodes(tc.p, tc.in)
		if d := cmp.Diff(tc.want, got); d != "" || known != tc.known {
			t.Errorf("%s %q: %v %v, want %v %v", tc.p, tc.in, got, known, tc.want, tc.known)
		}
	}
}

// TestProgramVocabularies checks the tables: every entry means codes of
// the vocabulary; the types only programs name have names in both
// languages and codes of their own; and every code a program's feed is
// written with reads back, in that program's vocabulary, as a set that
// holds the code written (no reader misreads one).
func TestProgramVocabularies(t *testing.T) {
	seen := map[string]bool{}
	for _, ti := range meeting.Types {
		if seen[ti.Code] {
			t.Errorf("code %s twice in Types", ti.Code)
		}
		seen[ti.Code] = true
		if ti.Name == "" || ti.NameES == "" || len(ti.Code) > meeting.MaxTypeLen {
			t.Errorf("type %+v: want both names and a code of at most %d bytes", ti, meeting.MaxTypeLen)
		}
	}
	for _, p := range meeting.Programs {
		for _, x := range meeting.ProgramTypes(p) {
			if len(x.Means) == 0 {
				t.Errorf("%s %s means nothing", p, x.Code)
			}
			for _, c := range x.Means {
				if _, ok := meeting.LookupType(c); !ok {
					t.Errorf("%s %s means %s, not a code of the vocabulary", p, x.Code, c)
				}
			}
		}
		for _, ti := range meeting.Types {
			own, ok := meeting.ProgramTypeCode(p, ti.Code)
			if !ok {
				continue
			}
			back, known := meeting.ProgramTypeCodes(p, own)
			if !known || !slices.Contains(back, ti.Code) {
				t.Errorf("%s: %s is written %q, which reads back as %v", p, ti.Code, own, back)
			}
		}
	}
	for p, want := range map[meeting.Program][]string{
		meeting.ProgramACA:    {"S=SP", "SP=S", "TEXT=T", "ADULTS-ONLY=A", "A=", "T=", "BE=BE", "W=W"},
		meeting.ProgramAlAnon: {"ALATEEN=Y", "Y=YA", "PARENTS=POA", "POA="},
		meeting.ProgramNA:     {"BT=BT", "SP=SP", "ST=ST", "O=O", "BOOK="},
		meeting.ProgramAA:     {"BT=", "S=S", "ONL=", "NS="},
		meeting.ProgramOA:     {"ST=ST", "TOP=D", "D="}, // OA's D is Topic
	} {
		for _, w := range want {
			code, wantOwn, _ := strings.Cut(w, "=")
			own, ok := meeting.ProgramTypeCode(p, code)
			if own != wantOwn || ok != (wantOwn != "") {
				t.Errorf("%s writes %s as %q (%v), want %q", p, code, own, ok, wantOwn)
			}
		}
	}
}
