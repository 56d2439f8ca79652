package bmlt

// WorldIDOf returns the NAWS world_id that this importer maps to the
// vocabulary code, so that an encoder can speak BMLT with the same table the
// importer reads it with: "O" → "OPEN", "X" → "WCHR", a language code ("S",
// "FR") → "LANG", "TC" → "TC". For any other code it returns the code itself
// (the importer keeps unknown world_ids verbatim as type codes).
func WorldIDOf(code string) string {
	if code == "TC" {
		return "TC"
	}
	if _, ok := LanguageOf(code); ok {
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
// language format that this importer maps to the vocabulary code ("S" →
// "es"), and whether code is a language at all.
func LanguageOf(code string) (string, bool) {
	for iso, c := range languageTypes {
		if c == code {
			return iso, true
		}
	}
	return "", false
}
