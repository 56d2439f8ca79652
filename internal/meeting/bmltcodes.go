package meeting

// The BMLT and NAWS names of the type vocabulary, in one table for both
// directions: importers/bmlt reads world_ids and language key_strings with
// WorldIDType and LanguageType, and internal/feed/bmlt writes them with
// WorldIDOf and LanguageOf, so that what one writes the other reads back.

// worldIDTypes maps NAWS world_ids to codes of the project vocabulary. The
// world_ids VM, HYBR and TC (venue formats) and LANG are handled apart; any
// other world_id (BT, JFT, IP, QA, …) is kept verbatim as a type code.
// SMOK → SM and CW → CF are not in upstream's TSML map but mean the same
// thing ("smoking permitted", "children welcome" = child-friendly).
var worldIDTypes = map[string]string{
	"OPEN":   "O",
	"CLOSED": "C",
	"WCHR":   "X",
	"BEG":    "BE",
	"SPK":    "SP",
	"DISC":   "D",
	"STEP":   "ST",
	"TRAD":   "TR",
	"LIT":    "LIT",
	"MED":    "MED",
	"M":      "M",
	"W":      "W",
	"Y":      "Y",
	"GL":     "LGBTQ",
	"CAN":    "CAN",
	"NS":     "NS",
	"SMOK":   "SM",
	"CW":     "CF",
}

// languageTypes maps the ISO 639-1 codes BMLT servers use as key_strings of
// their LANG formats (and NAWS exports in Language1..3) to vocabulary codes.
var languageTypes = map[string]string{
	"af": "AF", "am": "AM", "ar": "AR", "asl": "ASL", "bg": "BG", "da": "DA", "de": "DE", "el": "EL",
	"en": "EN", "es": "S", "fa": "FA", "fi": "FI", "fr": "FR", "he": "HE", "hi": "HI", "hr": "HR",
	"hu": "HU", "is": "IS", "it": "ITA", "ja": "JA", "ka": "KA", "ko": "KOR", "lt": "LT", "ml": "ML",
	"mt": "MT", "ne": "NE", "nl": "NL", "no": "NO", "pa": "PUN", "pl": "POL", "pt": "POR", "ru": "RUS",
	"sk": "SK", "sl": "SL", "sv": "SV", "th": "TH", "tl": "TL", "tr": "TUR", "uk": "UK",
}

// IsLanguageType reports whether the vocabulary code names a language
// that BMLT servers key by an ISO 639-1 code ("S", "FR").
func IsLanguageType(code string) bool {
	for _, c := range languageTypes {
		if c == code {
			return true
		}
	}
	return false
}

// WorldIDType returns the vocabulary code of a NAWS world_id ("OPEN" →
// "O"), and whether the table has it.
func WorldIDType(worldID string) (string, bool) {
	c, ok := worldIDTypes[worldID]
	return c, ok
}

// LanguageType returns the vocabulary code of an ISO 639-1 language
// key_string ("es" → "S"), and whether the table has it.
func LanguageType(iso string) (string, bool) {
	c, ok := languageTypes[iso]
	return c, ok
}

// WorldIDOf returns the NAWS world_id that WorldIDType maps to the
// vocabulary code, so that the BMLT encoder speaks with the same table the
// importer reads with: "O" → "OPEN", "X" → "WCHR", a language code ("S",
// "FR") → "LANG", "TC" → "TC". For any other code it returns the code itself
// (the importer keeps unknown world_ids verbatim as type codes).
func WorldIDOf(code string) string {
	if code == "TC" {
		return "TC"
	}
	if IsLanguageType(code) {
		return "LANG"
	}
	for w, c := range worldIDTypes {
		// CW and SMOK are aliases; prefer the world_id upstream's TSML map uses.
		if c == code && w != "SMOK" && w != "CW" {
			return w
		}
	}
	for w, c := range worldIDTypes {
		if c == code {
			return w
		}
	}
	return code
}

// LanguageOf returns the ISO 639-1 key_string BMLT servers use for the
// language format that LanguageType maps to the vocabulary code ("S" →
// "es"), and whether code is a language at all.
func LanguageOf(code string) (string, bool) {
	for iso, c := range languageTypes {
		if c == code {
			return iso, true
		}
	}
	return "", false
}
