package bmlt

import (
	"hash/fnv"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/meetingfinder/meetingfinder/internal/meeting"
)

// Format is one entry of GetFormats and of get_used_formats. Every value is
// a string, as BMLT servers send them.
type Format struct {
	KeyString   string `json:"key_string"`
	NameString  string `json:"name_string"`
	Description string `json:"description_string"`
	Lang        string `json:"lang"`
	ID          string `json:"id"`
	WorldID     string `json:"world_id"`
	TypeEnum    string `json:"format_type_enum"`
	RootServer  string `json:"root_server_uri"`
}

// The venue formats BMLT reserves on every server (key_strings VM, HY, TC;
// TC is also a vocabulary code).
const (
	KeyVirtual = "VM"
	KeyHybrid  = "HY"
	KeyClosed  = "TC"
)

// formatIDs fixes the shared id of each vocabulary code and venue format,
// so ids never move when the vocabulary grows (new codes get new numbers at
// the end). Codes outside this table get hashed ids above 1000.
var formatIDs = map[string]int{
	"11": 1, "12x12": 2, "A": 3, "ABSI": 4, "AF": 5, "AL": 6, "AL-AN": 7, "AM": 8, "AR": 9, "ASL": 10,
	"B": 11, "BA": 12, "BE": 13, "BG": 14, "BI": 15, "BRK": 16, "C": 17, "CAN": 18, "CF": 19, "D": 20,
	"DA": 21, "DB": 22, "DD": 23, "DE": 24, "DR": 25, "EL": 26, "EN": 27, "FA": 28, "FF": 29, "FI": 30,
	"FR": 31, "G": 32, "GR": 33, "H": 34, "HE": 35, "HI": 36, "HR": 37, "HU": 38, "IS": 39, "ITA": 40,
	"JA": 41, "KA": 42, "KOR": 43, "L": 44, "LGBTQ": 45, "LIT": 46, "LS": 47, "LT": 48, "M": 49, "MED": 50,
	"ML": 51, "MT": 52, "N": 53, "NB": 54, "NDG": 55, "NE": 56, "NL": 57, "NO": 58, "O": 59, "OUT": 60,
	"P": 61, "POA": 62, "POC": 63, "POL": 64, "POR": 65, "PUN": 66, "RUS": 67, "S": 68, "SEN": 69, "SK": 70,
	"SL": 71, "SM": 72, "SP": 73, "ST": 74, "SV": 75, "T": 76, "TC": 77, "TH": 78, "TL": 79, "TR": 80,
	"TUR": 81, "UK": 82, "W": 83, "X": 84, "XB": 85, "XT": 86, "Y": 87, "ONL": 88, "NS": 89,
	KeyVirtual: 90, KeyHybrid: 91,
	// Other programs' own types (meeting.Types after the specification's).
	"BT": 92, "JFT": 93, "IP": 94, "IW": 95, "LC": 96, "SWG": 97, "SPAD": 98, "CPT": 99, "QA": 100, "RA": 101,
	"VAR": 102, "TOP": 103, "ADULT-CHILD": 104, "ALATEEN": 105, "WITH-AA": 106, "PARENTS": 107, "ADULTS-ONLY": 108,
	"AUDIO-VISUAL": 109, "BOOK": 110, "TEXT": 111, "YELLOW-WORKBOOK": 112, "DAILY": 113, "READING": 114, "SHARING": 115,
	"TEEN": 116, "WRITING": 117, "BUSINESS": 118, "90-DAY": 119, "ASK-IT-BASKET": 120, "DIGNITY-OF-CHOICE": 121,
	"FOR-TODAY": 122, "LIFELINE": 123, "LIFELINE-SAMPLER": 124, "MAINTENANCE": 125, "NEW-BEGINNINGS": 126, "HOW": 127,
	"OA-BOOK": 128, "RELAPSE": 129, "SPIRITUAL-PATH": 130, "SPIRITUALITY": 131, "PROMISES": 132, "TOOLS": 133,
	"VOICES-OF-RECOVERY": 134, "WORKBOOK": 135, "ANOREXIA": 136, "GETTING-CURRENT": 137, "HEALTHY-RELATIONSHIPS": 138,
	"PRISON": 139, "ABUNDANCE": 140, "ARTIST": 141, "BUSINESS-OWNER": 142, "CLUTTER": 143, "NUMBERS": 144,
	"PROSPERITY": 145, "TIME": 146, "TOOLKIT": 147, "VISION": 148, "20-QUESTIONS": 149, "GAM-ANON": 150,
	"WITH-GAM-ANON": 151, "COMMENT": 152, "PARKING": 153, "DOG-FRIENDLY": 154, "EIGHTFOLD-PATH": 155, "INQUIRY": 156,
	"INQUIRY-WRITING": 157, "INVENTORY": 158, "INVENTORY-WRITING": 159, "PROCESS-ADDICTIONS": 160,
}

// commonNeeds are the codes shown as "common needs" (format_type_enum FC3).
var commonNeeds = map[string]bool{
	"A": true, "ASL": true, "BE": true, "BI": true, "DD": true, "G": true, "L": true, "LGBTQ": true, "M": true,
	"N": true, "NB": true, "NDG": true, "P": true, "POC": true, "SEN": true, "T": true, "W": true, "Y": true,
}

// FormatID returns the shared id of a type code or venue key, as a string.
func FormatID(code string) string { return strconv.Itoa(formatNumber(code)) }

// formatNumber returns the shared id of a type code or venue key.
func formatNumber(code string) int {
	if id, ok := formatIDs[code]; ok {
		return id
	}
	h := fnv.New32a()
	h.Write([]byte(code))
	return 1000 + int(h.Sum32()%1_000_000)
}

// NewFormat describes code as a BMLT format in lang ("en" or "es"):
// key_string is the code, name_string its plain-word name, world_id the
// NAWS code importers/bmlt maps back to the same code, and format_type_enum
// O (open/closed), LANG (languages), FC2 (venue and place), FC3 (common
// needs) or FC1 (meeting format).
func NewFormat(code, lang string) Format {
	if lang != "es" {
		lang = "en"
	}
	f := Format{KeyString: code, Lang: lang, ID: FormatID(code)}
	switch code {
	case KeyVirtual:
		f.NameString, f.Description, f.WorldID, f.TypeEnum = "Virtual Meeting", "Meets virtually", "VM", "FC2"
		if lang == "es" {
			f.NameString, f.Description = "Reunión virtual", "Se reúne virtualmente"
		}
		return f
	case KeyHybrid:
		f.NameString, f.Description, f.WorldID, f.TypeEnum = "Hybrid Meeting", "Meets virtually and in person", "HYBR", "FC2"
		if lang == "es" {
			f.NameString, f.Description = "Reunión híbrida", "Se reúne virtualmente y en persona"
		}
		return f
	}
	f.NameString = meeting.TypeName(code, lang)
	f.Description = f.NameString
	f.WorldID = meeting.WorldIDOf(code)
	info, _ := meeting.LookupType(code)
	switch {
	case code == "O" || code == "C":
		f.TypeEnum = "O"
	case f.WorldID == "LANG":
		f.TypeEnum = "LANG"
		// BMLT servers key language formats by ISO 639-1 code; we keep our
		// code as key_string (it is what crouton shows) and the name lets
		// importers/bmlt map it back.
	case info.InPersonOnly || code == KeyClosed:
		f.TypeEnum = "FC2"
	case commonNeeds[code]:
		f.TypeEnum = "FC3"
	default:
		f.TypeEnum = "FC1"
	}
	return f
}

// Catalog returns every format this server knows in lang: the vocabulary's
// codes (legacy ones included, since stored meetings may carry them) and the
// venue formats VM and HY, ordered by id.
func Catalog(lang string) []Format {
	out := make([]Format, 0, len(meeting.Types)+2)
	for _, t := range meeting.Types {
		out = append(out, NewFormat(t.Code, lang))
	}
	out = append(out, NewFormat(KeyVirtual, lang), NewFormat(KeyHybrid, lang))
	return out
}

// FormatQuery is a parsed GetFormats request.
type FormatQuery struct {
	// Langs are the languages asked for (lang_enum, one or several;
	// "en" by default) that the catalogue has, in the order given. A
	// request for none it has lists nothing.
	Langs []string
	// Keys are the key_strings asked for; nil means any.
	Keys map[string]bool
	// IDs and NotIDs are the shared ids format_ids asks for and excludes
	// (negative values); nil means no such constraint.
	IDs, NotIDs map[string]bool
	// ShowAll (show_all=1) lists the formats no meeting uses too.
	ShowAll bool
}

// ParseFormats reads the parameters of GetFormats: lang_enum, key_strings,
// format_ids (a negative id excludes; values that are no integer are
// ignored, as BMLT ignores them) and show_all. Arrays are given as
// name[]= or as a comma list.
func ParseFormats(q url.Values) FormatQuery {
	var fq FormatQuery
	langs := List(q, "lang_enum")
	if len(langs) == 0 {
		langs = Languages[:1]
	}
	for _, l := range langs {
		if slices.Contains(Languages, l) && !slices.Contains(fq.Langs, l) {
			fq.Langs = append(fq.Langs, l)
		}
	}
	if keys := List(q, "key_strings"); len(keys) > 0 {
		fq.Keys = map[string]bool{}
		for _, k := range keys {
			fq.Keys[k] = true
		}
	}
	fq.IDs, fq.NotIDs = stringSets(List(q, "format_ids"))
	fq.ShowAll = strings.TrimSpace(q.Get("show_all")) == "1"
	return fq
}

// Select returns the formats of catalog (Catalog's, in one language) that
// fq asks for, in a new slice, with root as their root_server_uri: those
// used (by key_string) unless fq.ShowAll.
func (fq FormatQuery) Select(catalog []Format, used map[string]bool, root string) []Format {
	out := []Format{}
	for _, f := range catalog {
		if (fq.ShowAll || used[f.KeyString]) && (fq.Keys == nil || fq.Keys[f.KeyString]) &&
			(fq.IDs == nil || fq.IDs[f.ID]) && !fq.NotIDs[f.ID] {
			f.RootServer = root
			out = append(out, f)
		}
	}
	return out
}
