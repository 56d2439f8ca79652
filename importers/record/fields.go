package record

import (
	"errors"
	"html"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// ParseTime reads a time of day as feeds and spreadsheets write it:
// "19:30", "19:30:00", "7:30", "7:30 PM", "7:30pm", "7 pm", "07:30P",
// "noon", "midnight". It returns a KindInvalid *meeting.Error for anything
// else, including "13:00 PM" and "24:30".
func ParseTime(s string) (meeting.Clock, error) {
	// Fast path for the usual "HH:MM".
	if len(s) == 5 && s[2] == ':' && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[3]) && isDigit(s[4]) {
		h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
		if m <= 59 && (h < 24 || h == 24 && m == 0) {
			return meeting.NewClock(h%24, m), nil
		}
	}
	orig := s
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.ReplaceAll(s, ".", "")
	switch s {
	case "noon":
		return meeting.NewClock(12, 0), nil
	case "midnight":
		return meeting.NewClock(0, 0), nil
	}
	meridiem := ""
	for _, suf := range []string{"am", "pm", "a", "p"} {
		if strings.HasSuffix(s, suf) {
			meridiem = suf[:1]
			s = strings.TrimSpace(strings.TrimSuffix(s, suf))
			break
		}
	}
	bad := func() error {
		return meeting.Errorf(meeting.KindInvalid, "meetingguide.ParseTime", "%q is not a time of day", orig)
	}
	if meridiem == "" {
		if c, err := meeting.ParseClock(s); err == nil && s != "" && isDigitsColons(s) {
			return c, nil
		}
		return meeting.NoClock, bad()
	}
	h, m := 0, 0
	hs, ms, hasMin := strings.Cut(s, ":")
	if !isDigits(hs) || len(hs) > 2 {
		return meeting.NoClock, bad()
	}
	h, _ = strconv.Atoi(hs)
	if hasMin {
		ms, _, _ = strings.Cut(ms, ":") // ignore seconds
		if !isDigits(ms) || len(ms) != 2 {
			return meeting.NoClock, bad()
		}
		m, _ = strconv.Atoi(ms)
	}
	if h < 1 || h > 12 || m > 59 {
		return meeting.NoClock, bad()
	}
	if meridiem == "a" && h == 12 {
		h = 0
	} else if meridiem == "p" && h != 12 {
		h += 12
	}
	return meeting.NewClock(h, m), nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isDigitsColons(s string) bool {
	for part := range strings.SplitSeq(s, ":") {
		if !isDigits(part) || len(part) > 2 {
			return false
		}
	}
	return true
}

// dayNames holds English day names and abbreviations, and Spanish day
// names, lower case.
var dayNames = map[string]int{
	"domingo": 0, "lunes": 1, "martes": 2, "miércoles": 3, "miercoles": 3, "jueves": 4, "viernes": 5, "sábado": 6, "sabado": 6,
	"sunday": 0, "sun": 0, "su": 0,
	"monday": 1, "mon": 1, "mo": 1,
	"tuesday": 2, "tue": 2, "tues": 2, "tu": 2,
	"wednesday": 3, "wed": 3, "we": 3,
	"thursday": 4, "thu": 4, "thur": 4, "thurs": 4, "th": 4,
	"friday": 5, "fri": 5, "fr": 5,
	"saturday": 6, "sat": 6, "sa": 6,
}

// parseDay reads a day number 0–6 or a day name (English or Spanish, or
// one of c.DayNames).
func (c *Converter) parseDay(s string) (meeting.Weekday, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if isDigits(s) {
		n, err := strconv.Atoi(s)
		if err != nil || n > 6 {
			return 0, false
		}
		return meeting.Weekday(n), true
	}
	s = strings.TrimSuffix(s, ".")
	if n, ok := c.DayNames[s]; ok && n >= 0 && n <= 6 {
		return meeting.Weekday(n), true
	}
	if n, ok := dayNames[s]; ok {
		return meeting.Weekday(n), true
	}
	return 0, false
}

// typeAliases maps names that 12 Step Meeting List and older exports use
// for codes whose vocabulary name differs (lower case).
var typeAliases = map[string]string{
	"step meeting":          "ST",
	"online meeting":        "ONL",
	"temporary closure":     "TC",
	"temporarily closed":    "TC",
	"beginners":             "BE",
	"beginner":              "BE",
	"newcomers":             "BE",
	"wheelchair accessible": "X",
	"spanish speaking":      "S",
	"non-smoking":           "NS",
	"non smoking":           "NS",
	"young people's":        "Y",
	"tradition":             "TR",
	"traditions":            "TR",
}

// normalizeType maps one code or name, as a feed of program p writes it,
// to codes of the vocabulary (meeting.ProgramTypeCodes, then the names
// older exports use).
func normalizeType(p meeting.Program, s string) ([]string, bool) {
	if cs, ok := meeting.ProgramTypeCodes(p, s); ok {
		return cs, true
	}
	if c, ok := typeAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return []string{c}, true
	}
	return []string{strings.TrimSpace(s)}, false
}

// typeSeparators turns the separators of type lists into commas.
var typeSeparators = strings.NewReplacer("[", ",", "]", ",", ";", ",", "|", ",", "\n", ",", "\"", "")

// normalizeTypes splits, normalises and de-duplicates type values (order
// kept), read in program p's own vocabulary where it has one (an "SP" of
// Adult Children of Alcoholics is Spanish). Each value may be a code, a
// name, "[open]", or a list separated by commas, semicolons, pipes or new
// lines; a piece made only of known codes separated by spaces ("O D") is
// split too. ONL is dropped: attendance says whether a meeting is online.
// The values that codes holds are codes of the vocabulary already (a
// spreadsheet mapping's type_names), read in no program's vocabulary. It
// returns the codes and the unknown ones.
func normalizeTypes(p meeting.Program, values, codes []string) (out, unknown []string) {
	add := func(list *[]string, s string) {
		for _, x := range *list {
			if x == s {
				return
			}
		}
		if *list == nil {
			*list = make([]string, 0, 4)
		}
		*list = append(*list, s)
	}
	for _, v := range values {
		if slices.Contains(codes, v) {
			for piece := range strings.SplitSeq(v, ",") {
				if piece, _ = meeting.NormalizeType(piece); piece != "" && piece != "ONL" {
					add(&out, piece)
				}
			}
			continue
		}
		v = typeSeparators.Replace(v)
		for piece := range strings.SplitSeq(v, ",") {
			piece = strings.TrimSpace(piece)
			if piece == "" {
				continue
			}
			var got []string
			if cs, ok := normalizeType(p, piece); ok {
				got = cs
			} else if words := strings.Fields(piece); len(words) > 1 {
				for _, w := range words {
					cs, ok := normalizeType(p, w)
					if !ok {
						got = nil
						break
					}
					got = append(got, cs...)
				}
			}
			if got == nil {
				if len(piece) > 32 {
					piece = piece[:32]
					for piece != "" && !utf8.RuneStart(piece[len(piece)-1]) {
						piece = piece[:len(piece)-1]
					}
					piece = strings.TrimSpace(piece)
					if piece == "" {
						continue
					}
				}
				add(&unknown, piece)
				add(&out, piece)
				continue
			}
			for _, c := range got {
				if c != "ONL" {
					add(&out, c)
				}
			}
		}
	}
	return out, unknown
}

var (
	breakTag = regexp.MustCompile(`(?i)<\s*(br|/p|/div|/li)\s*/?\s*>`)
	anyTag   = regexp.MustCompile(`</?[a-zA-Z][^<>]*>`)
	spaces   = regexp.MustCompile(`[ \t\f\v\x{00a0}]+`)
)

// CleanText removes HTML from a multi-line text value: <br> and closing
// block tags become new lines, other tags are dropped, entities are
// decoded, runs of spaces collapse, and blank edges are trimmed.
func CleanText(s string) string {
	if s == "" || isClean(s) {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if strings.Contains(s, "<") {
		s = breakTag.ReplaceAllString(s, "\n")
		s = anyTag.ReplaceAllString(s, "")
	}
	if strings.Contains(s, "&") {
		s = html.UnescapeString(s)
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if hasSpaceRun(l) {
			l = spaces.ReplaceAllString(l, " ")
		}
		lines[i] = strings.TrimSpace(l)
	}
	s = strings.Join(lines, "\n")
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(s)
}

// isClean reports whether CleanText would return s unchanged because it
// has no markup, no line breaks, no run of spaces and nothing to trim.
func isClean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; cleanBreak[c] {
			switch {
			case c == ' ':
				if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
					return false
				}
			case c == 0xc2:
				if i+1 < len(s) && s[i+1] == 0xa0 {
					return false
				}
			default:
				return false
			}
		}
	}
	if len(s) > 0 && (s[0] >= utf8.RuneSelf || s[len(s)-1] >= utf8.RuneSelf) {
		// Unicode white space at either end is trimmed.
		return len(strings.TrimSpace(s)) == len(s)
	}
	return true
}

// cleanBreak marks the bytes that isClean looks at closely.
var cleanBreak = [256]bool{'<': true, '&': true, '\r': true, '\n': true, '\t': true, '\f': true, '\v': true, ' ': true, 0xc2: true}

// hasSpaceRun reports whether the spaces pattern could change s: it has a
// tab, form feed, vertical tab, no-break space or two spaces in a row.
func hasSpaceRun(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\t', '\f', '\v':
			return true
		case ' ':
			if i+1 < len(s) && s[i+1] == ' ' {
				return true
			}
		case 0xc2:
			if i+1 < len(s) && s[i+1] == 0xa0 {
				return true
			}
		}
	}
	return false
}

// CleanLine is CleanText for one-line values: line breaks become spaces.
func CleanLine(s string) string {
	if isClean(s) {
		return s
	}
	s = CleanText(s)
	if strings.Contains(s, "\n") {
		s = strings.Join(strings.Fields(s), " ")
	}
	return s
}

func asError(err error, target **meeting.Error) bool { return errors.As(err, target) }
