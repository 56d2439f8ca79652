package demo

// City is one place the generator scatters meetings around: a real city
// with its centre's coordinates, its IANA time zone and a weight that sets
// its share of the generated meetings.
type City struct {
	Name    string  // the city's usual English (or local) name
	Region  string  // state, province or region as written in addresses ("NY", "ON", "Île-de-France")
	Country string  // ISO 3166-1 alpha-2 code ("US", "GB", "AQ")
	Lat     float64 // latitude of the centre, degrees north (WGS 84)
	Lng     float64 // longitude of the centre, degrees east (WGS 84)
	Zone    string  // IANA time zone name
	// Weight is the city's relative share of meetings: roughly its metro
	// population in millions, scaled by how common recovery meetings are
	// there (high in North America, the UK and Ireland, lower elsewhere).
	Weight float64
	// Language is the main language of local meetings, an ISO 639-1 code.
	Language string
	// Postal is the pattern of a local postal code: '#' is a random digit,
	// '@' a random capital letter, anything else is copied; "" means the
	// place has no postal codes in everyday use.
	Postal string
	// SpreadKm is the standard deviation, in km, of a meeting's offset
	// from the centre along each axis; 0 means 6 km. Offsets are cut off
	// at three standard deviations from the centre.
	SpreadKm float64
}

// defaultSpreadKm is the scatter of meetings around a city centre when the
// city does not set its own.
const defaultSpreadKm = 6.0

// cities is the table behind Cities. New York comes first and weighs the
// most, so a fresh demo answers the acceptance query
// (lat=40.7128, lng=-74.006) with plenty of meetings.
var cities = []City{
	// United States and territories.
	{"New York", "NY", "US", 40.7128, -74.0060, "America/New_York", 60, "en", "100##", 8},
	{"Los Angeles", "CA", "US", 34.0522, -118.2437, "America/Los_Angeles", 25, "en", "900##", 8},
	{"Chicago", "IL", "US", 41.8781, -87.6298, "America/Chicago", 20, "en", "606##", 7},
	{"Houston", "TX", "US", 29.7604, -95.3698, "America/Chicago", 12, "en", "770##", 8},
	{"Phoenix", "AZ", "US", 33.4484, -112.0740, "America/Phoenix", 10, "en", "850##", 7},
	{"Philadelphia", "PA", "US", 39.9526, -75.1652, "America/New_York", 12, "en", "191##", 6},
	{"San Antonio", "TX", "US", 29.4241, -98.4936, "America/Chicago", 5, "en", "782##", 6},
	{"San Diego", "CA", "US", 32.7157, -117.1611, "America/Los_Angeles", 7, "en", "921##", 6},
	{"Dallas", "TX", "US", 32.7767, -96.7970, "America/Chicago", 12, "en", "752##", 8},
	{"Austin", "TX", "US", 30.2672, -97.7431, "America/Chicago", 4, "en", "787##", 6},
	{"San Francisco", "CA", "US", 37.7749, -122.4194, "America/Los_Angeles", 10, "en", "941##", 5},
	{"Seattle", "WA", "US", 47.6062, -122.3321, "America/Los_Angeles", 9, "en", "981##", 6},
	{"Portland", "OR", "US", 45.5152, -122.6784, "America/Los_Angeles", 5, "en", "972##", 6},
	{"Las Vegas", "NV", "US", 36.1699, -115.1398, "America/Los_Angeles", 5, "en", "891##", 6},
	{"Denver", "CO", "US", 39.7392, -104.9903, "America/Denver", 8, "en", "802##", 7},
	{"Salt Lake City", "UT", "US", 40.7608, -111.8910, "America/Denver", 3, "en", "841##", 5},
	{"Albuquerque", "NM", "US", 35.0844, -106.6504, "America/Denver", 2, "en", "871##", 5},
	{"Boise", "ID", "US", 43.6150, -116.2023, "America/Boise", 1.5, "en", "837##", 5},
	{"Boston", "MA", "US", 42.3601, -71.0589, "America/New_York", 12, "en", "021##", 7},
	{"Miami", "FL", "US", 25.7617, -80.1918, "America/New_York", 10, "en", "331##", 7},
	{"Tampa", "FL", "US", 27.9506, -82.4572, "America/New_York", 4, "en", "336##", 6},
	{"Atlanta", "GA", "US", 33.7490, -84.3880, "America/New_York", 10, "en", "303##", 8},
	{"Washington", "DC", "US", 38.9072, -77.0369, "America/New_York", 10, "en", "200##", 7},
	{"Pittsburgh", "PA", "US", 40.4406, -79.9959, "America/New_York", 4, "en", "152##", 6},
	{"Scranton", "PA", "US", 41.4090, -75.6624, "America/New_York", 1.5, "en", "185##", 5},
	{"Cleveland", "OH", "US", 41.4993, -81.6944, "America/New_York", 4, "en", "441##", 6},
	{"Detroit", "MI", "US", 42.3314, -83.0458, "America/Detroit", 7, "en", "482##", 7},
	{"Indianapolis", "IN", "US", 39.7684, -86.1581, "America/Indiana/Indianapolis", 3, "en", "462##", 6},
	{"Nashville", "TN", "US", 36.1627, -86.7816, "America/Chicago", 4, "en", "372##", 6},
	{"New Orleans", "LA", "US", 29.9511, -90.0715, "America/Chicago", 3, "en", "701##", 5},
	{"St. Louis", "MO", "US", 38.6270, -90.1994, "America/Chicago", 4, "en", "631##", 6},
	{"Minneapolis", "MN", "US", 44.9778, -93.2650, "America/Chicago", 7, "en", "554##", 7},
	{"Anchorage", "AK", "US", 61.2181, -149.9003, "America/Anchorage", 1.5, "en", "995##", 5},
	{"Fairbanks", "AK", "US", 64.8378, -147.7164, "America/Anchorage", 0.4, "en", "997##", 4},
	{"Utqiagvik", "AK", "US", 71.2906, -156.7886, "America/Anchorage", 0.05, "en", "99723", 1.5},
	{"Honolulu", "HI", "US", 21.3069, -157.8583, "Pacific/Honolulu", 2, "en", "968##", 4},
	{"San Juan", "PR", "PR", 18.4655, -66.1057, "America/Puerto_Rico", 2, "es", "009##", 5},
	{"Pago Pago", "AS", "AS", -14.2756, -170.7020, "Pacific/Pago_Pago", 0.1, "en", "96799", 2},

	// Canada.
	{"Toronto", "ON", "CA", 43.6532, -79.3832, "America/Toronto", 8, "en", "M#@ #@#", 8},
	{"Montreal", "QC", "CA", 45.5017, -73.5673, "America/Toronto", 5, "fr", "H#@ #@#", 7},
	{"Vancouver", "BC", "CA", 49.2827, -123.1207, "America/Vancouver", 5, "en", "V#@ #@#", 6},
	{"Calgary", "AB", "CA", 51.0447, -114.0719, "America/Edmonton", 3, "en", "T#@ #@#", 6},
	{"Winnipeg", "MB", "CA", 49.8951, -97.1384, "America/Winnipeg", 2, "en", "R#@ #@#", 5},
	{"Regina", "SK", "CA", 50.4452, -104.6189, "America/Regina", 0.8, "en", "S4@ #@#", 4},
	{"Halifax", "NS", "CA", 44.6488, -63.5752, "America/Halifax", 1.5, "en", "B#@ #@#", 5},
	{"St. John's", "NL", "CA", 47.5615, -52.7126, "America/St_Johns", 1, "en", "A1@ #@#", 4},

	// Mexico, Central and South America.
	{"Mexico City", "CDMX", "MX", 19.4326, -99.1332, "America/Mexico_City", 8, "es", "06###", 8},
	{"Guadalajara", "Jalisco", "MX", 20.6597, -103.3496, "America/Mexico_City", 3, "es", "44###", 6},
	{"Monterrey", "Nuevo León", "MX", 25.6866, -100.3161, "America/Monterrey", 2, "es", "64###", 6},
	{"Guatemala City", "Guatemala", "GT", 14.6349, -90.5069, "America/Guatemala", 1.5, "es", "010##", 5},
	{"San José", "San José", "CR", 9.9281, -84.0907, "America/Costa_Rica", 1, "es", "10###", 5},
	{"Bogotá", "Bogotá D.C.", "CO", 4.7110, -74.0721, "America/Bogota", 3, "es", "110###", 7},
	{"Lima", "Lima", "PE", -12.0464, -77.0428, "America/Lima", 3, "es", "150##", 7},
	{"Santiago", "Región Metropolitana", "CL", -33.4489, -70.6693, "America/Santiago", 2.5, "es", "83#####", 7},
	{"Buenos Aires", "CABA", "AR", -34.6037, -58.3816, "America/Argentina/Buenos_Aires", 4, "es", "C1###@@@", 7},
	{"Ushuaia", "Tierra del Fuego", "AR", -54.8019, -68.3030, "America/Argentina/Ushuaia", 0.2, "es", "V9410@@@", 2},
	{"São Paulo", "SP", "BR", -23.5505, -46.6333, "America/Sao_Paulo", 5, "pt", "0####-###", 8},
	{"Rio de Janeiro", "RJ", "BR", -22.9068, -43.1729, "America/Sao_Paulo", 3, "pt", "2####-###", 6},

	// Europe.
	{"London", "England", "GB", 51.5074, -0.1278, "Europe/London", 10, "en", "SE# #@@", 8},
	{"Manchester", "England", "GB", 53.4808, -2.2426, "Europe/London", 3, "en", "M# #@@", 6},
	{"Edinburgh", "Scotland", "GB", 55.9533, -3.1883, "Europe/London", 1.5, "en", "EH# #@@", 5},
	{"Dublin", "County Dublin", "IE", 53.3498, -6.2603, "Europe/Dublin", 3, "en", "D0# @###", 6},
	{"Reykjavik", "Capital Region", "IS", 64.1466, -21.9426, "Atlantic/Reykjavik", 0.5, "is", "1##", 4},
	{"Paris", "Île-de-France", "FR", 48.8566, 2.3522, "Europe/Paris", 4, "fr", "750##", 7},
	{"Madrid", "Comunidad de Madrid", "ES", 40.4168, -3.7038, "Europe/Madrid", 3, "es", "280##", 6},
	{"Barcelona", "Cataluña", "ES", 41.3851, 2.1734, "Europe/Madrid", 2, "es", "080##", 5},
	{"Lisbon", "Lisboa", "PT", 38.7223, -9.1393, "Europe/Lisbon", 1.5, "pt", "1###-###", 5},
	{"Amsterdam", "Noord-Holland", "NL", 52.3676, 4.9041, "Europe/Amsterdam", 2, "nl", "10## @@", 5},
	{"Berlin", "Berlin", "DE", 52.5200, 13.4050, "Europe/Berlin", 3, "de", "1####", 7},
	{"Vienna", "Wien", "AT", 48.2082, 16.3738, "Europe/Vienna", 1.5, "de", "1##0", 5},
	{"Rome", "Lazio", "IT", 41.9028, 12.4964, "Europe/Rome", 1.5, "it", "001##", 6},
	{"Valletta", "Malta", "MT", 35.8989, 14.5146, "Europe/Malta", 0.3, "en", "VLT ####", 3},
	{"Copenhagen", "Hovedstaden", "DK", 55.6761, 12.5683, "Europe/Copenhagen", 1, "da", "1###", 5},
	{"Oslo", "Oslo", "NO", 59.9139, 10.7522, "Europe/Oslo", 1, "no", "0###", 5},
	{"Stockholm", "Stockholms län", "SE", 59.3293, 18.0686, "Europe/Stockholm", 1.5, "sv", "1## ##", 6},
	{"Helsinki", "Uusimaa", "FI", 60.1699, 24.9384, "Europe/Helsinki", 1, "fi", "00###", 5},
	{"Warsaw", "Mazowieckie", "PL", 52.2297, 21.0122, "Europe/Warsaw", 1.5, "pl", "0#-###", 6},
	{"Prague", "Praha", "CZ", 50.0755, 14.4378, "Europe/Prague", 1, "cs", "1## ##", 5},
	{"Budapest", "Budapest", "HU", 47.4979, 19.0402, "Europe/Budapest", 1, "hu", "1###", 5},
	{"Athens", "Attica", "GR", 37.9838, 23.7275, "Europe/Athens", 1, "el", "1## ##", 5},
	{"Kyiv", "Kyiv", "UA", 50.4501, 30.5234, "Europe/Kyiv", 1, "uk", "0####", 6},
	{"Moscow", "Moscow", "RU", 55.7558, 37.6173, "Europe/Moscow", 3, "ru", "1#####", 8},
	{"Istanbul", "İstanbul", "TR", 41.0082, 28.9784, "Europe/Istanbul", 2, "tr", "34###", 8},
	{"Longyearbyen", "Svalbard", "SJ", 78.2232, 15.6267, "Arctic/Longyearbyen", 0.05, "no", "9170", 1.5},

	// Africa and the Middle East.
	{"Lagos", "Lagos", "NG", 6.5244, 3.3792, "Africa/Lagos", 1, "en", "1#####", 7},
	{"Cairo", "Cairo", "EG", 30.0444, 31.2357, "Africa/Cairo", 1, "ar", "11###", 7},
	{"Nairobi", "Nairobi", "KE", -1.2921, 36.8219, "Africa/Nairobi", 1, "en", "00###", 6},
	{"Johannesburg", "Gauteng", "ZA", -26.2041, 28.0473, "Africa/Johannesburg", 2, "en", "2###", 7},
	{"Cape Town", "Western Cape", "ZA", -33.9249, 18.4241, "Africa/Johannesburg", 1.5, "en", "80##", 5},
	{"Tel Aviv", "Tel Aviv", "IL", 32.0853, 34.7818, "Asia/Jerusalem", 1, "he", "6######", 5},
	{"Tehran", "Tehran", "IR", 35.6892, 51.3890, "Asia/Tehran", 1, "fa", "1####-#####", 8},
	{"Dubai", "Dubai", "AE", 25.2048, 55.2708, "Asia/Dubai", 1, "en", "", 6},

	// Asia.
	{"Mumbai", "Maharashtra", "IN", 19.0760, 72.8777, "Asia/Kolkata", 2, "hi", "400###", 7},
	{"Delhi", "Delhi", "IN", 28.6139, 77.2090, "Asia/Kolkata", 2, "hi", "110###", 8},
	{"Bengaluru", "Karnataka", "IN", 12.9716, 77.5946, "Asia/Kolkata", 1, "en", "560###", 6},
	{"Kathmandu", "Bagmati", "NP", 27.7172, 85.3240, "Asia/Kathmandu", 0.5, "ne", "44600", 4},
	{"Bangkok", "Bangkok", "TH", 13.7563, 100.5018, "Asia/Bangkok", 1, "th", "10###", 7},
	{"Singapore", "Singapore", "SG", 1.3521, 103.8198, "Asia/Singapore", 1.5, "en", "######", 5},
	{"Jakarta", "DKI Jakarta", "ID", -6.2088, 106.8456, "Asia/Jakarta", 1, "id", "1####", 7},
	{"Manila", "Metro Manila", "PH", 14.5995, 120.9842, "Asia/Manila", 1.5, "tl", "1###", 7},
	{"Hong Kong", "Hong Kong", "HK", 22.3193, 114.1694, "Asia/Hong_Kong", 1, "en", "", 5},
	{"Seoul", "Seoul", "KR", 37.5665, 126.9780, "Asia/Seoul", 1.5, "ko", "0####", 8},
	{"Tokyo", "Tokyo", "JP", 35.6762, 139.6503, "Asia/Tokyo", 3, "ja", "1##-####", 8},

	// Oceania and the Pacific, both sides of the antimeridian.
	{"Perth", "WA", "AU", -31.9505, 115.8605, "Australia/Perth", 2, "en", "60##", 7},
	{"Darwin", "NT", "AU", -12.4634, 130.8456, "Australia/Darwin", 0.3, "en", "08##", 4},
	{"Adelaide", "SA", "AU", -34.9285, 138.6007, "Australia/Adelaide", 1.5, "en", "50##", 6},
	{"Brisbane", "QLD", "AU", -27.4698, 153.0251, "Australia/Brisbane", 2.5, "en", "40##", 7},
	{"Sydney", "NSW", "AU", -33.8688, 151.2093, "Australia/Sydney", 5, "en", "20##", 8},
	{"Melbourne", "VIC", "AU", -37.8136, 144.9631, "Australia/Melbourne", 4.5, "en", "30##", 8},
	{"Hobart", "TAS", "AU", -42.8821, 147.3272, "Australia/Hobart", 0.5, "en", "70##", 4},
	{"Guam", "Guam", "GU", 13.4443, 144.7937, "Pacific/Guam", 0.2, "en", "969##", 4},
	{"Auckland", "Auckland", "NZ", -36.8485, 174.7633, "Pacific/Auckland", 2, "en", "10##", 7},
	{"Wellington", "Wellington", "NZ", -41.2865, 174.7762, "Pacific/Auckland", 1, "en", "60##", 5},
	{"Waitangi", "Chatham Islands", "NZ", -43.9535, -176.5597, "Pacific/Chatham", 0.05, "en", "8942", 3},
	{"Suva", "Central", "FJ", -18.1416, 178.4419, "Pacific/Fiji", 0.3, "en", "", 4},
	{"Apia", "Tuamasaga", "WS", -13.8333, -171.7667, "Pacific/Apia", 0.2, "en", "", 3},
	{"Kiritimati", "Line Islands", "KI", 1.8721, -157.4278, "Pacific/Kiritimati", 0.03, "en", "", 3},

	// Antarctica.
	{"McMurdo Station", "Ross Island", "AQ", -77.8419, 166.6863, "Antarctica/McMurdo", 0.02, "en", "", 0.5},
}

// Cities returns a copy of the table of cities the generator uses, in table
// order (New York first). Changing the copy does not change the generator.
func Cities() []City {
	return append([]City(nil), cities...)
}

// countryNames gives the name written at the end of a formatted address.
var countryNames = map[string]string{
	"US": "USA", "PR": "Puerto Rico", "AS": "American Samoa", "GU": "Guam", "CA": "Canada",
	"MX": "Mexico", "GT": "Guatemala", "CR": "Costa Rica", "CO": "Colombia", "PE": "Peru",
	"CL": "Chile", "AR": "Argentina", "BR": "Brazil", "GB": "UK", "IE": "Ireland",
	"IS": "Iceland", "FR": "France", "ES": "Spain", "PT": "Portugal", "NL": "Netherlands",
	"DE": "Germany", "AT": "Austria", "IT": "Italy", "MT": "Malta", "DK": "Denmark",
	"NO": "Norway", "SE": "Sweden", "FI": "Finland", "PL": "Poland", "CZ": "Czechia",
	"HU": "Hungary", "GR": "Greece", "UA": "Ukraine", "RU": "Russia", "TR": "Türkiye",
	"SJ": "Norway", "NG": "Nigeria", "EG": "Egypt",
	"KE": "Kenya", "ZA": "South Africa", "IL": "Israel", "IR": "Iran",
	"AE": "United Arab Emirates", "IN": "India", "NP": "Nepal", "TH": "Thailand",
	"SG": "Singapore", "ID": "Indonesia", "PH": "Philippines",
	"HK": "Hong Kong", "KR": "South Korea", "JP": "Japan", "AU": "Australia",
	"NZ": "New Zealand", "FJ": "Fiji", "WS": "Samoa", "KI": "Kiribati", "AQ": "Antarctica",
}

// languageTypes maps a city's Language to the meeting type code for
// meetings held in that language; languages the vocabulary lacks are absent.
var languageTypes = map[string]string{
	"es": "S", "pt": "POR", "fr": "FR", "de": "DE", "it": "ITA", "nl": "NL", "da": "DA",
	"no": "NO", "sv": "SV", "fi": "FI", "is": "IS", "pl": "POL", "hu": "HU", "el": "EL",
	"uk": "UK", "ru": "RUS", "tr": "TUR", "ar": "AR", "he": "HE", "fa": "FA", "hi": "HI",
	"ne": "NE", "th": "TH", "tl": "TL", "ko": "KOR", "ja": "JA",
}
