package meeting

import (
	"slices"
	"strings"
)

// TypeInfo describes one meeting type code: the code itself, its plain-word
// names in English and Spanish, and whether the type only makes sense for a
// meeting people attend in person (babysitting, wheelchair access, …).
type TypeInfo struct {
	Code         string
	Name         string
	NameES       string
	InPersonOnly bool
	Legacy       bool
	// Programs names, for a type the Meeting Guide specification has no
	// code for, the programs whose own vocabularies have it (see
	// ProgramTypeCodes); it is empty for the specification's codes.
	Programs []Program
}

// Types is the project's type vocabulary: the 87 codes of the Meeting Guide
// specification (code4recovery/spec, MIT licence) with their English and
// Spanish names, the legacy codes ONL (online, removed from the spec in
// 2022) and NS (non-smoking) that real feeds still send, and then the types
// only other programs' vocabularies name (NA's Basic Text, Al-Anon's
// Alateen, …; see programTypes), each with its own code. Every code has
// one meaning, whatever the program. Codes outside this list are kept
// verbatim on a meeting and reported as unknown by importers.
var Types = slices.Concat(specTypes, programTypes)

// specTypes are the Meeting Guide specification's codes and the legacy
// ones, in the vocabulary's first part.
var specTypes = []TypeInfo{
	{Code: "11", Name: "11th Step Meditation", NameES: "Meditación del Paso 11", InPersonOnly: false},
	{Code: "12x12", Name: "12 Steps & 12 Traditions", NameES: "12 Pasos y 12 Tradiciones", InPersonOnly: false},
	{Code: "A", Name: "Secular", NameES: "Secular", InPersonOnly: false},
	{Code: "ABSI", Name: "As Bill Sees It", NameES: "Como lo ve Bill", InPersonOnly: false},
	{Code: "AF", Name: "Afrikaans", NameES: "Afrikáans", InPersonOnly: false},
	{Code: "AL", Name: "Concurrent with Alateen", NameES: "Concurrente con Alateen", InPersonOnly: true},
	{Code: "AL-AN", Name: "Concurrent with Al-Anon", NameES: "Concurrente con Al-Anon", InPersonOnly: true},
	{Code: "AM", Name: "Amharic", NameES: "Amárico", InPersonOnly: false},
	{Code: "AR", Name: "Arabic", NameES: "Árabe", InPersonOnly: false},
	{Code: "ASL", Name: "American Sign Language", NameES: "Lenguaje por señas", InPersonOnly: false},
	{Code: "B", Name: "Big Book", NameES: "Libro Grande", InPersonOnly: false},
	{Code: "BA", Name: "Babysitting Available", NameES: "Guardería disponible", InPersonOnly: true},
	{Code: "BE", Name: "Newcomer", NameES: "Principiantes", InPersonOnly: false},
	{Code: "BG", Name: "Bulgarian", NameES: "Búlgaro", InPersonOnly: false},
	{Code: "BI", Name: "Bisexual", NameES: "Bisexual", InPersonOnly: false},
	{Code: "BRK", Name: "Breakfast", NameES: "Desayuno", InPersonOnly: true},
	{Code: "C", Name: "Closed", NameES: "Cerrada", InPersonOnly: false},
	{Code: "CAN", Name: "Candlelight", NameES: "Luz de una vela", InPersonOnly: true},
	{Code: "CF", Name: "Child-Friendly", NameES: "Niño amigable", InPersonOnly: true},
	{Code: "D", Name: "Discussion", NameES: "Discusión", InPersonOnly: false},
	{Code: "DA", Name: "Danish", NameES: "Danés", InPersonOnly: false},
	{Code: "DB", Name: "Digital Basket", NameES: "Canasta digital", InPersonOnly: false},
	{Code: "DD", Name: "Dual Diagnosis", NameES: "Diagnóstico dual", InPersonOnly: false},
	{Code: "DE", Name: "German", NameES: "Alemán", InPersonOnly: false},
	{Code: "DR", Name: "Daily Reflections", NameES: "Reflexiones Diarias", InPersonOnly: false},
	{Code: "EL", Name: "Greek", NameES: "Griego", InPersonOnly: false},
	{Code: "EN", Name: "English", NameES: "Inglés", InPersonOnly: false},
	{Code: "FA", Name: "Persian", NameES: "Persa", InPersonOnly: false},
	{Code: "FF", Name: "Fragrance Free", NameES: "Sin fragancia", InPersonOnly: true},
	{Code: "FI", Name: "Finnish", NameES: "Finlandés", InPersonOnly: false},
	{Code: "FR", Name: "French", NameES: "Francés", InPersonOnly: false},
	{Code: "G", Name: "Gay", NameES: "Gay", InPersonOnly: false},
	{Code: "GR", Name: "Grapevine", NameES: "La Viña", InPersonOnly: false},
	{Code: "H", Name: "Birthday", NameES: "Cumpleaños", InPersonOnly: false},
	{Code: "HE", Name: "Hebrew", NameES: "Hebreo", InPersonOnly: false},
	{Code: "HI", Name: "Hindi", NameES: "Hindi", InPersonOnly: false},
	{Code: "HR", Name: "Croatian", NameES: "Croata", InPersonOnly: false},
	{Code: "HU", Name: "Hungarian", NameES: "Húngaro", InPersonOnly: false},
	{Code: "IS", Name: "Icelandic", NameES: "Islandés", InPersonOnly: false},
	{Code: "ITA", Name: "Italian", NameES: "Italiano", InPersonOnly: false},
	{Code: "JA", Name: "Japanese", NameES: "Japonés", InPersonOnly: false},
	{Code: "KA", Name: "Georgian", NameES: "Georgiano", InPersonOnly: false},
	{Code: "KOR", Name: "Korean", NameES: "Coreano", InPersonOnly: false},
	{Code: "L", Name: "Lesbian", NameES: "Lesbiana", InPersonOnly: false},
	{Code: "LGBTQ", Name: "LGBTQ", NameES: "LGBTQ", InPersonOnly: false},
	{Code: "LIT", Name: "Literature", NameES: "Literatura", InPersonOnly: false},
	{Code: "LS", Name: "Living Sober", NameES: "Viviendo Sobrio", InPersonOnly: false},
	{Code: "LT", Name: "Lithuanian", NameES: "Lituano", InPersonOnly: false},
	{Code: "M", Name: "Men", NameES: "Hombres", InPersonOnly: false},
	{Code: "MED", Name: "Meditation", NameES: "Meditación", InPersonOnly: false},
	{Code: "ML", Name: "Malayalam", NameES: "Malayalam", InPersonOnly: false},
	{Code: "MT", Name: "Maltese", NameES: "Maltés", InPersonOnly: false},
	{Code: "N", Name: "Native American", NameES: "Nativo Americano", InPersonOnly: false},
	{Code: "NB", Name: "Non-Binary", NameES: "No binario", InPersonOnly: false},
	{Code: "NDG", Name: "Indigenous", NameES: "Indígena", InPersonOnly: false},
	{Code: "NE", Name: "Nepali", NameES: "Nepalí", InPersonOnly: false},
	{Code: "NL", Name: "Dutch", NameES: "Holandés", InPersonOnly: false},
	{Code: "NO", Name: "Norwegian", NameES: "Noruego", InPersonOnly: false},
	{Code: "O", Name: "Open", NameES: "Abierta", InPersonOnly: false},
	{Code: "OUT", Name: "Outdoor", NameES: "Al aire libre", InPersonOnly: true},
	{Code: "P", Name: "Professionals", NameES: "Profesionales", InPersonOnly: false},
	{Code: "POA", Name: "Proof of Attendance", NameES: "Prueba de Asistencia", InPersonOnly: false},
	{Code: "POC", Name: "People of Color", NameES: "Gente de color", InPersonOnly: false},
	{Code: "POL", Name: "Polish", NameES: "Polaco", InPersonOnly: false},
	{Code: "POR", Name: "Portuguese", NameES: "Portugués", InPersonOnly: false},
	{Code: "PUN", Name: "Punjabi", NameES: "Punjabi", InPersonOnly: false},
	{Code: "RUS", Name: "Russian", NameES: "Ruso", InPersonOnly: false},
	{Code: "S", Name: "Spanish", NameES: "Español", InPersonOnly: false},
	{Code: "SEN", Name: "Seniors", NameES: "Personas mayores", InPersonOnly: false},
	{Code: "SK", Name: "Slovak", NameES: "Eslovaco", InPersonOnly: false},
	{Code: "SL", Name: "Slovenian", NameES: "Esloveno", InPersonOnly: false},
	{Code: "SM", Name: "Smoking Permitted", NameES: "Se permite fumar", InPersonOnly: true},
	{Code: "SP", Name: "Speaker", NameES: "Orador", InPersonOnly: false},
	{Code: "ST", Name: "Step Study", NameES: "Estudio de pasos", InPersonOnly: false},
	{Code: "SV", Name: "Swedish", NameES: "Sueco", InPersonOnly: false},
	{Code: "T", Name: "Transgender", NameES: "Transgénero", InPersonOnly: false},
	{Code: "TC", Name: "Location Temporarily Closed", NameES: "Ubicación temporalmente cerrada", InPersonOnly: false},
	{Code: "TH", Name: "Thai", NameES: "Tailandés", InPersonOnly: false},
	{Code: "TL", Name: "Tagalog", NameES: "Tagalo", InPersonOnly: false},
	{Code: "TR", Name: "Tradition Study", NameES: "Estudio de tradicion", InPersonOnly: false},
	{Code: "TUR", Name: "Turkish", NameES: "Turco", InPersonOnly: false},
	{Code: "UK", Name: "Ukrainian", NameES: "Ucraniano", InPersonOnly: false},
	{Code: "W", Name: "Women", NameES: "Mujeres", InPersonOnly: false},
	{Code: "X", Name: "Wheelchair Access", NameES: "Acceso en silla de ruedas", InPersonOnly: true},
	{Code: "XB", Name: "Wheelchair-Accessible Bathroom", NameES: "Baño accesible para sillas de ruedas", InPersonOnly: true},
	{Code: "XT", Name: "Cross Talk Permitted", NameES: "Se permite opinar", InPersonOnly: false},
	{Code: "Y", Name: "Young People", NameES: "Gente joven", InPersonOnly: false},
	{Code: "ONL", Name: "Online", NameES: "En línea", Legacy: true},
	{Code: "NS", Name: "Non-Smoking", NameES: "No fumar", Legacy: true},
}

var typeIndex = func() map[string]TypeInfo {
	m := make(map[string]TypeInfo, len(Types))
	for _, t := range Types {
		m[t.Code] = t
	}
	return m
}()

var typeByName = func() map[string]string {
	m := make(map[string]string, 2*len(Types))
	for _, t := range Types {
		m[strings.ToLower(t.Name)] = t.Code
		m[strings.ToLower(t.NameES)] = t.Code
	}
	return m
}()

// LookupType returns the vocabulary entry for code (case-sensitive, as the
// spec's codes are) and whether it is known.
func LookupType(code string) (TypeInfo, bool) {
	t, ok := typeIndex[code]
	return t, ok
}

// NormalizeType maps a code or a type name as found in feeds and spreadsheets
// ("open", "Big Book", "onl", " W ") to the vocabulary's code. It returns the
// trimmed input unchanged and known=false when nothing matches, so unknown
// codes are kept verbatim.
func NormalizeType(s string) (code string, known bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if _, ok := typeIndex[s]; ok {
		return s, true
	}
	if _, ok := typeIndex[strings.ToUpper(s)]; ok {
		return strings.ToUpper(s), true
	}
	if c, ok := typeByName[strings.ToLower(s)]; ok {
		return c, true
	}
	return s, false
}

// TypeName returns the plain-word name of code in the language lang ("en" or
// "es"), or the code itself when it is unknown.
func TypeName(code, lang string) string {
	t, ok := typeIndex[code]
	if !ok {
		return code
	}
	if lang == "es" && t.NameES != "" {
		return t.NameES
	}
	return t.Name
}
