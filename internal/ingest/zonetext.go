package ingest

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/meetingfinder/meetingfinder/importers/record"
	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// zoneMention is a time zone named in a meeting's text: "8pm Eastern",
// "EST/EDT", "UK time". Zone is the IANA zone it means, Said the words
// as written (for reports), Clock the time of day written just before it
// ("8pm" in "8pm Eastern") or NoClock.
type zoneMention struct {
	Zone  string
	Said  string
	Clock meeting.Clock
}

// zonePhrase is one way of naming a zone in free text.
type zonePhrase struct {
	expr string // a regexp, flags and word boundaries included
	zone string
	// needsClock: the words name a zone only right after a time of day
	// ("8pm Eastern", "7:30 PT"), or after "times are"; alone they are
	// too often something else ("Eastern Avenue", "Central Office",
	// "New Haven, CT").
	needsClock bool
}

// The phrases, read case-insensitively unless they are abbreviations.
// Where two overlap, the one that starts first wins, then the one listed
// first (the longer phrases come first):
// "Central European Time" is Europe's, never US Central, and
// "Australian Eastern Standard Time" never US Eastern. Abbreviations
// name a region's clock, not an offset: "EST" in a name in July still
// means US Eastern (people write EST all year), "GMT" and "BST" mean
// the UK's clock. Ambiguous ones (IST, AST, CST as China's) are read as
// the common use in these feeds or not at all.
var zonePhrases = func() []zonePhrase {
	ci := func(expr, zone string) zonePhrase {
		return zonePhrase{expr: `(?i:\b(?:` + expr + `)\b)`, zone: zone}
	}
	cs := func(expr, zone string) zonePhrase {
		return zonePhrase{expr: `\b(?:` + expr + `)\b`, zone: zone}
	}
	clocked := func(p zonePhrase) zonePhrase { p.needsClock = true; return p }
	const kind = `(?:\s+(?:standard|daylight|summer))?`
	return []zonePhrase{
		// Europe, Africa and Asia first: their phrases contain US words.
		ci(`central\s+europe(?:an)?`+kind+`(?:\s+time)?`, "Europe/Berlin"),
		ci(`eastern\s+europe(?:an)?`+kind+`(?:\s+time)?`, "Europe/Athens"),
		ci(`western\s+europe(?:an)?`+kind+`(?:\s+time)?`, "Europe/Lisbon"),
		ci(`australian\s+eastern`+kind+`(?:\s+time)?|eastern\s+australian?`+kind+`(?:\s+time)?|(?:sydney|melbourne)\s+time`, "Australia/Sydney"),
		ci(`(?:uk|u\.k\.|british|britain|london|england|english|scottish|scotland|welsh|wales)\s+time|british\s+summer\s+time|greenwich\s+mean\s+time`, "Europe/London"),
		ci(`(?:irish|ireland|dublin)`+kind+`\s+time`, "Europe/Dublin"),
		ci(`south\s+african?`+kind+`\s+time`, "Africa/Johannesburg"),
		ci(`india(?:n)?`+kind+`\s+time`, "Asia/Kolkata"),
		ci(`israel(?:i)?`+kind+`\s+time`, "Asia/Jerusalem"),
		ci(`japan(?:ese)?`+kind+`\s+time`, "Asia/Tokyo"),
		ci(`new\s+zealand`+kind+`\s+time|nz\s+time`, "Pacific/Auckland"),
		ci(`(?:coordinated\s+)?universal\s+time`, "UTC"),
		// North America.
		ci(`eastern`+kind+`\s+time|new\s+york\s+time|toronto\s+time`, "America/New_York"),
		ci(`central`+kind+`\s+time|chicago\s+time`, "America/Chicago"),
		ci(`arizona\s+time|phoenix\s+time`, "America/Phoenix"),
		ci(`mountain`+kind+`\s+time|denver\s+time`, "America/Denver"),
		ci(`pacific`+kind+`\s+time|(?:los\s+angeles|vancouver|seattle)\s+time`, "America/Los_Angeles"),
		ci(`alaska(?:n)?`+kind+`\s+time`, "America/Anchorage"),
		ci(`hawaii(?:an)?(?:-aleutian)?`+kind+`\s+time`, "Pacific/Honolulu"),
		ci(`atlantic`+kind+`\s+time`, "America/Halifax"),
		ci(`newfoundland`+kind+`\s+time`, "America/St_Johns"),
		// Abbreviations, upper case only.
		cs(`E[SD]T(?:\s*/\s*E[SD]T)?`, "America/New_York"),
		cs(`C[SD]T(?:\s*/\s*C[SD]T)?`, "America/Chicago"),
		cs(`M[SD]T(?:\s*/\s*M[SD]T)?`, "America/Denver"),
		cs(`P[SD]T(?:\s*/\s*P[SD]T)?`, "America/Los_Angeles"),
		cs(`AK[SD]T`, "America/Anchorage"),
		cs(`HST`, "Pacific/Honolulu"),
		cs(`GMT\s*/\s*BST|GMT|BST`, "Europe/London"),
		cs(`UTC`, "UTC"),
		cs(`CET\s*/\s*CEST|CEST|CET`, "Europe/Berlin"),
		cs(`EEST|EET`, "Europe/Athens"),
		cs(`SAST`, "Africa/Johannesburg"),
		cs(`AE[SD]T`, "Australia/Sydney"),
		cs(`NZ[SD]T`, "Pacific/Auckland"),
		cs(`JST`, "Asia/Tokyo"),
		// Words that name a zone only after a time of day.
		clocked(ci(`eastern`, "America/New_York")),
		clocked(ci(`central`, "America/Chicago")),
		clocked(ci(`mountain`, "America/Denver")),
		clocked(ci(`pacific`, "America/Los_Angeles")),
		clocked(cs(`ET`, "America/New_York")),
		clocked(cs(`CT`, "America/Chicago")),
		clocked(cs(`MT`, "America/Denver")),
		clocked(cs(`PT`, "America/Los_Angeles")),
	}
}()

// zoneRegexp is every one of zonePhrases, each its own group, in their
// order: one pass over a text finds them all.
var zoneRegexp = func() *regexp.Regexp {
	parts := make([]string, len(zonePhrases))
	for i, p := range zonePhrases {
		parts[i] = "(" + p.expr + ")"
	}
	return regexp.MustCompile(strings.Join(parts, "|"))
}()

// offsetZone is "UTC+2", "GMT-5", "GMT +10": a fixed offset, read as
// the Etc zone of that offset (whole hours only; Etc/GMT+5 is UTC-5).
var offsetZone = regexp.MustCompile(`\b(?:UTC|GMT)\s*([+\-−])\s*(\d{1,2})(?::?00)?\b`)

// clockBefore finds a time of day (or a range, whose start it takes)
// at the end of the text before a zone: "8pm ", "7:30 PM (", "19:00 ",
// "7-8pm " is not a time (no minutes or meridiem on 7) but "7pm-8pm " is.
var clockBefore = regexp.MustCompile(`(?i)(\d{1,2}(?::[0-5]\d)?\s*(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:[0-5]\d|noon|midnight)` +
	`(?:\s*(?:-|–|—|to|until)\s*(?:\d{1,2}(?::[0-5]\d)?\s*(?:a\.?m\.?|p\.?m\.?)?|noon|midnight))?\s*\(?\s*$`)

// timesAre is "times are", "all times in", … right before a zone word
// ("All times are Eastern"): the word then names a zone without a clock.
var timesAre = regexp.MustCompile(`(?i)\btimes?\s+(?:are\s+|is\s+|in\s+|listed\s+in\s+|shown\s+in\s+)?(?:in\s+)?$`)

// aSecret is the end of a text that introduces a password or an id
// ("Password: PST" is a Zoom passcode, not a zone).
var aSecret = regexp.MustCompile(`(?i)(?:pass(?:word|code)?|pwd|pw|code|pin|id|key)\s*[:=#]?\s*$`)

// notAYear matches what follows "EST" when it is "established": "EST. 1985".
var notAYear = regexp.MustCompile(`^\.?\s*\d{4}\b`)

// zoneMentions returns the zones named in texts, in order of appearance.
func zoneMentions(texts ...string) []zoneMention {
	var out []zoneMention
	for _, s := range texts {
		if s == "" {
			continue
		}
		out = append(out, mentionsIn(s)...)
	}
	return out
}

// span is a match of a phrase in one text.
type span struct {
	start, end int
	zone       string
	clocked    bool
}

// zoneWords are the words one of zonePhrases or offsetZone needs, lower
// case; zoneAbbrevs those that count only as written. mayNameZone looks
// for them before any regexp runs: most texts name no zone.
var (
	zoneWords = wordSet(`eastern central pacific mountain alaska alaskan hawaii hawaiian atlantic newfoundland arizona
		phoenix denver chicago europe european australian australia sydney melbourne uk british britain london england
		english scottish scotland welsh wales greenwich irish ireland dublin africa african india indian israel israeli
		japan japanese zealand nz universal york toronto angeles vancouver seattle`)
	zoneAbbrevs = wordSet(`EST EDT CST CDT MST MDT PST PDT AKST AKDT HST GMT BST UTC CEST CET EEST EET SAST AEST AEDT
		NZST NZDT JST ET CT MT PT`)
)

// wordSet makes a set of the words of list.
func wordSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}

// mayNameZone reports whether s has a word that some zone phrase needs.
func mayNameZone(s string) bool {
	var buf [12]byte
	for i := 0; i < len(s); {
		if !isASCIILetter(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isASCIILetter(s[j]) {
			j++
		}
		w := s[i:j]
		if len(w) >= 2 && len(w) <= 4 && w[0] <= 'Z' && w[1] <= 'Z' && zoneAbbrevs[w] {
			return true
		}
		if len(w) >= 2 && len(w) <= 12 {
			for k := 0; k < len(w); k++ {
				buf[k] = w[k] | 0x20
			}
			if zoneWords[string(buf[:len(w)])] {
				return true
			}
		}
		i = j
	}
	return false
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// mentionsIn returns the zones named in s.
func mentionsIn(s string) []zoneMention {
	if !mayNameZone(s) {
		return nil
	}
	var spans []span
	for _, ix := range zoneRegexp.FindAllStringSubmatchIndex(s, -1) {
		for g, p := range zonePhrases {
			if ix[2+2*g] >= 0 {
				spans = append(spans, span{ix[0], ix[1], p.zone, p.needsClock})
				break
			}
		}
	}
	for _, ix := range offsetZone.FindAllStringSubmatchIndex(s, -1) {
		n, _ := strconv.Atoi(s[ix[4]:ix[5]])
		if n > 14 {
			continue
		}
		z := "UTC"
		if n != 0 {
			// Etc/GMT signs are the other way round (Etc/GMT+5 is UTC-5).
			sign := "-"
			if s[ix[2]:ix[3]] != "+" {
				sign = "+"
			}
			z = "Etc/GMT" + sign + strconv.Itoa(n)
		}
		spans = append(spans, span{ix[0], ix[1], z, false})
	}
	if len(spans) == 0 {
		return nil
	}
	// The first to start wins, then the longer; overlapping ones go.
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return spans[i].end > spans[j].end
	})
	var out []zoneMention
	end := -1
	for _, sp := range spans {
		if sp.start < end {
			continue
		}
		said := s[sp.start:sp.end]
		if strings.HasPrefix(said, "EST") && notAYear.MatchString(s[sp.end:]) {
			continue
		}
		if strings.EqualFold(said, "central") || strings.EqualFold(said, "eastern") {
			// "8pm Central Europe" is taken by the longer phrase; "8pm
			// Central, Europe" and the like are not worth the risk.
			if rest := strings.ToLower(strings.TrimLeft(s[sp.end:], " ,-")); strings.HasPrefix(rest, "europe") || strings.HasPrefix(rest, "austral") {
				continue
			}
		}
		before := s[max(0, sp.start-40):sp.start]
		if aSecret.MatchString(before) || inURL(s, sp.start, sp.end) {
			continue
		}
		clock := meeting.NoClock
		if m := clockBefore.FindStringSubmatch(before); m != nil {
			if c, err := record.ParseTime(m[1]); err == nil {
				clock = c
				said = s[sp.start-len(m[0]) : sp.end]
			}
		}
		if sp.clocked && clock == meeting.NoClock && !timesAre.MatchString(before) {
			continue
		}
		end = sp.end
		out = append(out, zoneMention{Zone: sp.zone, Said: strings.Join(strings.Fields(said), " "), Clock: clock})
	}
	return out
}

// inURL reports whether s[start:end] is part of a link or an address
// ("…?pwd=EST", "zoom.us/j/…/PT"): a character that joins words in URLs
// touches it.
func inURL(s string, start, end int) bool {
	if start > 0 && strings.IndexByte("/=?&#@.:_", s[start-1]) >= 0 {
		return true
	}
	return end < len(s) && strings.IndexByte("/=&@_", s[end]) >= 0
}

// textZone returns the zone a meeting's own text gives its time, or ""
// with a note saying why the text gave none when it named zones that do
// not fit (several zones, or a zone at another time of day than the
// meeting's: "8pm Eastern" on a meeting at 17:00 is the Eastern clock of
// a meeting on another one).
func textZone(m *meeting.Meeting) (zone, said, note string) {
	ms := zoneMentions(m.Name, m.Notes, m.Online.URLNotes, m.Online.PhoneNote, m.Location.Name, m.Location.Notes, m.Group)
	if len(ms) == 0 {
		return "", "", ""
	}
	// fits: the mention names the meeting's own time, or no time.
	fits := func(z zoneMention) bool {
		return z.Clock == meeting.NoClock || !m.Start.Valid() || z.Clock == m.Start
	}
	var zones, fitting []string
	sayings := map[string]string{}
	for _, z := range ms {
		if !slices.Contains(zones, z.Zone) {
			zones = append(zones, z.Zone)
		}
		if _, ok := sayings[z.Zone]; !ok {
			sayings[z.Zone] = z.Said
		}
		if fits(z) && !slices.Contains(fitting, z.Zone) {
			fitting = append(fitting, z.Zone)
		}
	}
	if len(zones) == 1 {
		// One zone: it counts when one mention fits the meeting's time.
		// Several mentions at other times and none at this one is the
		// text of a meeting on another clock.
		if len(fitting) == 1 {
			return zones[0], sayings[zones[0]], ""
		}
		return "", "", "the text says \"" + sayings[zones[0]] + "\" but the meeting starts at " + m.Start.String() + ": not taken as its zone"
	}
	// Several zones ("7pm ET / 4pm PT"): the one at the meeting's own time.
	var atTime []string
	for _, z := range ms {
		if z.Clock != meeting.NoClock && m.Start.Valid() && z.Clock == m.Start && !slices.Contains(atTime, z.Zone) {
			atTime = append(atTime, z.Zone)
		}
	}
	if len(atTime) == 1 {
		for _, z := range ms {
			if z.Zone == atTime[0] && z.Clock == m.Start {
				return z.Zone, z.Said, ""
			}
		}
	}
	quoted := make([]string, len(zones))
	for i, z := range zones {
		quoted[i] = "\"" + sayings[z] + "\""
	}
	return "", "", "the text names several zones (" + strings.Join(quoted, ", ") + "): none taken as its zone"
}
