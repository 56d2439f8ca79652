package meeting

import "strings"

// Programs other than AA have type vocabularies of their own, and their
// feeds speak them: 12 Step Meeting List, which most feeds come from,
// keeps one list per program (code4recovery/12-step-meeting-list,
// includes/variables.php), and NA's are its NAWS formats. The same code
// often means something else there: in an Adult Children of Alcoholics
// feed "SP" is Spanish and "S" Speaker, "T" the fellowship text and "A"
// a meeting for adults only; in an Al-Anon feed "Y" is Alateen and "POA"
// parents of alcoholics; in a Debtors Anonymous feed "B" is business
// owners and "N" numbers. Read with AA's codes, a person looking for a
// Spanish-speaking meeting is sent to a speaker meeting in English.
//
// Every meeting's types are therefore codes of one project vocabulary
// (Types), each with one meaning: the Meeting Guide specification's codes
// and, for what only other programs name, the codes of programTypes.
// ProgramTypeCodes reads a feed's code or name in its program's own
// vocabulary; ProgramTypeCode writes a project code back in it.

// ProgramType is one entry of a program's own type vocabulary: the code
// its feeds use, the name they give it, and the codes of the project
// vocabulary (Types) it means, one or more ("Speaker/Discussion" is SP
// and D).
type ProgramType struct {
	Code  string
	Name  string
	Means []string
}

// programTypes are the types of the project vocabulary that the Meeting
// Guide specification has no code for, each named by the programs that
// use it. Codes are the program's own where that code means nothing else
// in the vocabulary and is no ISO 639-1 language code (the spec asks
// custom codes to avoid both), else a longer word.
var programTypes = func() []TypeInfo {
	na := []Program{ProgramNA, ProgramHA}
	t := func(code, name, es string, ps ...Program) TypeInfo {
		return TypeInfo{Code: code, Name: name, NameES: es, Programs: ps}
	}
	return []TypeInfo{
		// NA and HA (NAWS formats; BMLT servers send these world_ids).
		t("BT", "Basic Text", "Texto Básico", na...),
		t("JFT", "Just for Today", "Sólo por Hoy", na...),
		t("IP", "IP Study", "Estudio de folletos (IP)", na...),
		t("IW", "It Works: How and Why", "Funciona: cómo y por qué", na...),
		t("LC", "Living Clean", "Vivir limpios", na...),
		t("SWG", "Step Working Guide Study", "Guía para trabajar los pasos", na...),
		t("SPAD", "Spiritual Principle a Day", "Un principio espiritual al día", ProgramNA),
		t("CPT", "12 Concepts", "12 Conceptos", na...),
		t("QA", "Questions & Answers", "Preguntas y respuestas", ProgramNA, ProgramHA, ProgramCoDA),
		t("RA", "Restricted Access", "Acceso restringido", na...),
		t("VAR", "Format Varies", "Formato variable", ProgramNA, ProgramHA, ProgramOA),
		t("TOP", "Topic", "Tema", ProgramNA, ProgramHA, ProgramGA, ProgramOA),
		// Al-Anon.
		t("ADULT-CHILD", "Adult Child Focus", "Enfoque en hijos adultos", ProgramAlAnon),
		t("ALATEEN", "Alateen", "Alateen", ProgramAlAnon),
		{Code: "WITH-AA", Name: "Concurrent with AA", NameES: "Concurrente con AA", InPersonOnly: true, Programs: []Program{ProgramAlAnon}},
		t("PARENTS", "Parents of Alcoholics", "Padres de alcohólicos", ProgramAlAnon),
		// Adult Children of Alcoholics.
		t("ADULTS-ONLY", "Age Restricted 18+", "Solo mayores de 18", ProgramACA),
		t("AUDIO-VISUAL", "Audio / Visual", "Audiovisual", ProgramACA),
		t("BOOK", "Book Study", "Estudio del libro", ProgramACA, ProgramCoDA, ProgramSLAA, ProgramRecoveryDharma, ProgramRefugeRecovery),
		t("TEXT", "Fellowship Text", "Texto de la comunidad", ProgramACA),
		t("YELLOW-WORKBOOK", "Yellow Workbook Study", "Estudio del libro de trabajo amarillo", ProgramACA),
		// Co-Dependents Anonymous, Overeaters Anonymous.
		t("DAILY", "Daily", "Diaria", ProgramCoDA),
		t("READING", "Reading", "Lectura", ProgramCoDA),
		t("SHARING", "Sharing", "Compartir", ProgramCoDA),
		t("TEEN", "Teens", "Adolescentes", ProgramCoDA, ProgramOA),
		t("WRITING", "Writing", "Escritura", ProgramCoDA, ProgramOA),
		// Cocaine Anonymous.
		t("BUSINESS", "Business Meeting", "Reunión de servicio", ProgramCA),
		// Overeaters Anonymous.
		t("90-DAY", "90 Day", "90 días", ProgramOA),
		t("ASK-IT-BASKET", "Ask-It-Basket", "Canasta de preguntas", ProgramOA),
		t("DIGNITY-OF-CHOICE", "Dignity of Choice", "Dignidad de elección", ProgramOA),
		t("FOR-TODAY", "For Today", "Por hoy", ProgramOA),
		t("LIFELINE", "Lifeline", "Lifeline", ProgramOA),
		t("LIFELINE-SAMPLER", "Lifeline Sampler", "Selección de Lifeline", ProgramOA),
		t("MAINTENANCE", "Maintenance", "Mantenimiento", ProgramOA),
		t("NEW-BEGINNINGS", "New Beginnings", "Nuevos comienzos", ProgramOA),
		t("HOW", "OA H.O.W.", "OA H.O.W.", ProgramOA),
		t("OA-BOOK", "OA Second and/or Third Edition", "Libro de OA (segunda o tercera edición)", ProgramOA),
		t("RELAPSE", "Relapse/12th Step Within", "Recaída / Paso 12 interno", ProgramOA),
		t("SPIRITUAL-PATH", "Seeking the Spiritual Path", "Buscando el camino espiritual", ProgramOA),
		t("SPIRITUALITY", "Spirituality", "Espiritualidad", ProgramOA),
		t("PROMISES", "The Promises", "Las promesas", ProgramOA),
		t("TOOLS", "Tools", "Herramientas", ProgramOA),
		t("VOICES-OF-RECOVERY", "Voices of Recovery", "Voces de la recuperación", ProgramOA),
		t("WORKBOOK", "Workbook Study", "Estudio del libro de trabajo", ProgramOA),
		// Sex and Love Addicts Anonymous.
		t("ANOREXIA", "Anorexia Focus", "Enfoque en anorexia", ProgramSLAA),
		t("GETTING-CURRENT", "Getting Current", "Ponerse al día", ProgramSLAA),
		t("HEALTHY-RELATIONSHIPS", "Healthy Relationships", "Relaciones sanas", ProgramSLAA),
		t("PRISON", "Prison", "Prisión", ProgramSLAA),
		// Debtors Anonymous.
		t("ABUNDANCE", "Abundance", "Abundancia", ProgramDA),
		t("ARTIST", "Artist", "Artistas", ProgramDA),
		t("BUSINESS-OWNER", "Business Owner", "Dueños de negocios", ProgramDA),
		t("CLUTTER", "Clutter", "Desorden", ProgramDA),
		t("NUMBERS", "Numbers", "Números", ProgramDA),
		t("PROSPERITY", "Prosperity", "Prosperidad", ProgramDA),
		t("TIME", "Time", "Tiempo", ProgramDA),
		t("TOOLKIT", "Toolkit", "Caja de herramientas", ProgramDA),
		t("VISION", "Vision", "Visión", ProgramDA),
		// Gamblers Anonymous.
		t("20-QUESTIONS", "20 Questions", "20 preguntas", ProgramGA),
		t("GAM-ANON", "Gam-Anon", "Gam-Anon", ProgramGA),
		t("WITH-GAM-ANON", "Combined GA/Gam-Anon", "GA y Gam-Anon juntos", ProgramGA),
		t("COMMENT", "Comment", "Comentario", ProgramGA),
		{Code: "PARKING", Name: "Parking Available", NameES: "Estacionamiento disponible", InPersonOnly: true, Programs: []Program{ProgramGA}},
		// Recovery Dharma and Refuge Recovery.
		{Code: "DOG-FRIENDLY", Name: "Dog Friendly", NameES: "Se admiten perros", InPersonOnly: true,
			Programs: []Program{ProgramRecoveryDharma, ProgramRefugeRecovery}},
		t("EIGHTFOLD-PATH", "Eightfold Path Study", "Estudio del óctuple sendero", ProgramRecoveryDharma, ProgramRefugeRecovery),
		t("INQUIRY", "Inquiry Study", "Estudio de indagación", ProgramRecoveryDharma),
		t("INQUIRY-WRITING", "Inquiry Writing", "Escritura de indagación", ProgramRecoveryDharma),
		t("INVENTORY", "Inventory Study", "Estudio del inventario", ProgramRefugeRecovery),
		t("INVENTORY-WRITING", "Inventory Writing", "Escritura del inventario", ProgramRefugeRecovery),
		t("PROCESS-ADDICTIONS", "Process Addictions", "Adicciones de proceso", ProgramRecoveryDharma, ProgramRefugeRecovery),
	}
}()

// programVocabularies are the programs' own vocabularies, where they have
// one: each code their feeds use that does not mean what the same code
// means in the Meeting Guide specification, or that the specification
// lacks. A code a program's list shares with the specification, with
// its meaning (O, C, W, M, TC, …), is not repeated: ProgramTypeCodes
// falls back on the specification.
var programVocabularies = func() map[Program][]ProgramType {
	e := func(code, name string, means ...string) ProgramType {
		return ProgramType{Code: code, Name: name, Means: means}
	}
	na := []ProgramType{
		e("BT", "Basic Text", "BT"), e("BEG", "Beginner/Newcomer", "BE"), e("CPT", "12 Concepts", "CPT"),
		e("CW", "Children Welcome", "CF"), e("DISC", "Discussion/Participation", "D"), e("GL", "Gay/Lesbian", "LGBTQ"),
		e("IP", "IP Study", "IP"), e("IW", "It Works Study", "IW"), e("JFT", "Just For Today Study", "JFT"),
		e("LIT", "Literature Study", "LIT"), e("LC", "Living Clean", "LC"), e("NS", "Non-Smoking", "NS"),
		e("QA", "Questions & Answers", "QA"), e("RA", "Restricted Access", "RA"), e("SMOK", "Smoking", "SM"),
		e("SPAD", "Spiritual Principle a Day", "SPAD"), e("SPK", "Speaker", "SP"), e("STEP", "Step", "ST"),
		e("SWG", "Step Working Guide Study", "SWG"), e("TOP", "Topic", "TOP"), e("TRAD", "Tradition", "TR"),
		e("VAR", "Format Varies", "VAR"),
	}
	ha := make([]ProgramType, 0, len(na))
	for _, x := range na {
		if x.Code != "SPAD" {
			ha = append(ha, x)
		}
	}
	return map[Program][]ProgramType{
		ProgramNA: na,
		ProgramHA: ha,
		ProgramAlAnon: {
			e("AC", "Adult Child Focus", "ADULT-CHILD"), e("Y", "Alateen", "ALATEEN"), e("A", "Atheist / Agnostic", "A"),
			e("AA", "Concurrent with AA Meeting", "WITH-AA"), e("AL", "Concurrent with Alateen Meeting", "AL"),
			e("O", "Families Friends and Observers Welcome", "O"), e("C", "Families and Friends Only", "C"),
			e("LGBTQIA", "LGBTQIA+", "LGBTQ"), e("POA", "Parents of Alcoholics", "PARENTS"), e("YA", "Young Adults", "Y"),
		},
		ProgramACA: {
			e("A", "Age Restricted 18+", "ADULTS-ONLY"), e("AV", "Audio / Visual", "AUDIO-VISUAL"), e("B", "Book Study", "BOOK"),
			e("BEG", "Beginners", "BE"), e("T", "Fellowship Text", "TEXT"), e("G", "Gay/Lesbian", "LGBTQ"),
			e("S", "Speaker", "SP"), e("SP", "Spanish", "S"), e("ST", "Steps", "ST"), e("Y", "Yellow Workbook Study", "YELLOW-WORKBOOK"),
		},
		ProgramCoDA: {
			e("A", "Atheist / Agnostic", "A"), e("B", "Book Study", "BOOK"), e("H", "Chips", "H"), e("DLY", "Daily", "DAILY"),
			e("QA", "Q & A", "QA"), e("READ", "Reading", "READING"), e("SHARE", "Sharing", "SHARING"), e("TEEN", "Teens", "TEEN"),
			e("D", "Topic Discussion", "D"), e("TR", "Tradition", "TR"), e("WRITE", "Writing", "WRITING"),
		},
		ProgramCA: {
			e("A", "Atheist / Agnostic", "A"), e("BUS", "Business", "BUSINESS"),
		},
		ProgramOA: {
			e("11TH", "11th Step", "11"), e("90D", "90 Day", "90-DAY"), e("AA12", "AA 12/12", "12x12"),
			e("AIB", "Ask-It-Basket", "ASK-IT-BASKET"), e("DOC", "Dignity of Choice", "DIGNITY-OF-CHOICE"),
			e("FT", "For Today", "FOR-TODAY"), e("LI", "Lifeline", "LIFELINE"), e("LIS", "Lifeline Sampler", "LIFELINE-SAMPLER"),
			e("MAIN", "Maintenance", "MAINTENANCE"), e("NEWB", "New Beginnings", "NEW-BEGINNINGS"), e("HOW", "OA H.O.W.", "HOW"),
			e("OA23", "OA Second and/or Third Edition", "OA-BOOK"), e("ST", "OA Steps and/or Traditions Study", "ST", "TR"),
			e("RELA", "Relapse/12th Step Within", "RELAPSE"), e("SSP", "Seeking the Spiritual Path", "SPIRITUAL-PATH"),
			e("SD", "Speaker/Discussion", "SP", "D"), e("SPIR", "Spirituality", "SPIRITUALITY"), e("TEEN", "Teen Friendly", "TEEN"),
			e("PROM", "The Promises", "PROMISES"), e("TOOL", "Tools", "TOOLS"), e("D", "Topic", "TOP"), e("MISC", "Varies", "VAR"),
			e("VOR", "Voices of Recovery", "VOICES-OF-RECOVERY"), e("WORK", "Work Book Study", "WORKBOOK"), e("WRIT", "Writing", "WRITING"),
		},
		ProgramSLAA: {
			e("AN", "Anorexia Focus", "ANOREXIA"), e("B", "Book Study", "BOOK"), e("H", "Chips", "H"), e("BA", "Child Care Available", "BA"),
			e("GC", "Getting Current", "GETTING-CURRENT"), e("X", "Handicapped Accessible", "X"),
			e("HR", "Healthy Relationships", "HEALTHY-RELATIONSHIPS"), e("LIT", "Literature Reading", "LIT"),
			e("NC", "Newcomers", "BE"), e("PRI", "Prison", "PRISON"), e("D", "Topic Discussion", "D"),
		},
		ProgramDA: {
			e("AB", "Abundance", "ABUNDANCE"), e("AR", "Artist", "ARTIST"), e("B", "Business Owner", "BUSINESS-OWNER"),
			e("CL", "Clutter", "CLUTTER"), e("N", "Numbers", "NUMBERS"), e("P", "Prosperity", "PROSPERITY"),
			e("TI", "Time", "TIME"), e("TO", "Toolkit", "TOOLKIT"), e("V", "Vision", "VISION"),
		},
		ProgramGA: {
			e("20", "20 Questions/Beginner Focus", "20-QUESTIONS", "BE"), e("GAA", "Combined GA/Gam Anon", "WITH-GAM-ANON"),
			e("COM", "Comment", "COMMENT"), e("CRC", "Cross Comment", "XT"), e("GAM", "Gam Anon", "GAM-ANON"),
			e("PAR", "Parking Meters Available", "PARKING"), e("TOP", "Topic", "TOP"),
		},
		ProgramRecoveryDharma: {
			e("BB", "Book Study", "BOOK"), e("CC", "Child Care Available", "BA"), e("DF", "Dog Friendly", "DOG-FRIENDLY"),
			e("8F", "Eightfold Path Study", "EIGHTFOLD-PATH"), e("IS", "Inquiry Study", "INQUIRY"), e("IW", "Inquiry Writing", "INQUIRY-WRITING"),
			e("MI", "Mindfulness Practice", "MED"), e("PR", "Process Addictions", "PROCESS-ADDICTIONS"), e("ES", "Spanish", "S"),
			e("WA", "Wheelchair Access", "X"),
		},
		ProgramRefugeRecovery: {
			e("BB", "Book Study", "BOOK"), e("CC", "Child Care Available", "BA"), e("DF", "Dog Friendly", "DOG-FRIENDLY"),
			e("8F", "Eightfold Path Study", "EIGHTFOLD-PATH"), e("IS", "Inventory Study", "INVENTORY"),
			e("IW", "Inventory Writing", "INVENTORY-WRITING"), e("MI", "Mindfulness Practice", "MED"),
			e("PR", "Process Addictions", "PROCESS-ADDICTIONS"), e("ES", "Spanish", "S"), e("WA", "Wheelchair Access", "X"),
		},
	}
}()

// programIndex is programVocabularies by program, then by code and by
// folded name.
type programIndex struct {
	byCode map[string]ProgramType
	byName map[string]ProgramType
	back   map[string]string // project code → the program's code
}

var programIndexes = func() map[Program]programIndex {
	out := map[Program]programIndex{}
	for p, list := range programVocabularies {
		ix := programIndex{byCode: map[string]ProgramType{}, byName: map[string]ProgramType{}, back: map[string]string{}}
		for _, x := range list {
			ix.byCode[x.Code] = x
			ix.byName[Fold(x.Name)] = x
		}
		// Writing back: a code that means exactly one project code wins
		// over one that means several, the first listed over later ones.
		for _, x := range list {
			if len(x.Means) == 1 {
				if _, taken := ix.back[x.Means[0]]; !taken {
					ix.back[x.Means[0]] = x.Code
				}
			}
		}
		out[p] = ix
	}
	return out
}()

// HasTypeVocabulary reports whether program p has a type vocabulary of
// its own (ProgramTypes).
func HasTypeVocabulary(p Program) bool {
	_, ok := programVocabularies[p]
	return ok
}

// ProgramTypes returns program p's own type entries: the codes its feeds
// use that differ from the Meeting Guide specification's or that the
// specification lacks; nil when p speaks the specification's codes.
func ProgramTypes(p Program) []ProgramType { return programVocabularies[p] }

// ProgramTypeCodes reads s, a type code or name as a feed of program p
// writes it ("SP" in an Adult Children of Alcoholics feed, "Basic Text"
// in an NA one), as codes of the project vocabulary (["S"], ["BT"]): p's
// own vocabulary first (code as written, then upper case, then the
// name), then the specification's (NormalizeType). It returns the trimmed
// input and known=false when neither has it, so that unknown codes are
// kept verbatim.
func ProgramTypeCodes(p Program, s string) (codes []string, known bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, false
	}
	if ix, ok := programIndexes[p]; ok {
		x, found := ix.byCode[s]
		if !found {
			x, found = ix.byCode[strings.ToUpper(s)]
		}
		if !found {
			x, found = ix.byName[Fold(s)]
		}
		if found {
			return x.Means, true
		}
	}
	if c, ok := NormalizeType(s); ok {
		return []string{c}, true
	}
	return []string{s}, false
}

// ProgramTypeCode returns the code a feed of program p writes for code, a
// code of the project vocabulary. A code of the specification that p's
// feeds do not give another meaning goes out as it is (NA's "ST": readers
// of the specification, the Meeting Guide app and TSML UI among them, and
// our importer read it alike; Overeaters Anonymous' "ST" is steps and
// traditions, wider but not wrong). Otherwise it is p's own code for it
// ("S" → "SP" for Adult Children of Alcoholics, where "S" is Speaker;
// "BT" for NA's Basic Text), or false when p has none, so that p's
// readers never misread one.
func ProgramTypeCode(p Program, code string) (string, bool) {
	t, known := LookupType(code)
	ix, own := programIndexes[p]
	if known && !t.Legacy && len(t.Programs) == 0 {
		x, redefined := ix.byCode[code]
		if !own || !redefined {
			return code, true
		}
		for _, m := range x.Means {
			if m == code {
				return code, true
			}
		}
	}
	if own {
		if c, ok := ix.back[code]; ok {
			return c, true
		}
	}
	return "", false
}
