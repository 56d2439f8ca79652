package demo

// This file holds the word tables the generator draws from. Every string a
// meeting carries that is not built from random digits comes from here (or
// is precomputed from here once per process), so generating a meeting does
// not format text.

// named is a meeting name with the type codes the name implies (a "Big
// Book Study" is type B).
type named struct {
	name  string
	types []string
}

// aaNames are English-language AA meeting names.
var aaNames = []named{
	{"Serenity Group", []string{"D"}},
	{"Big Book Study", []string{"B"}},
	{"Keep It Simple", []string{"D"}},
	{"Early Birds", []string{"D"}},
	{"Women's Step Study", []string{"W", "ST"}},
	{"Men's Stag", []string{"M", "D"}},
	{"Young People's Group", []string{"Y", "D"}},
	{"Rainbow Group", []string{"LGBTQ", "D"}},
	{"Speakers Night", []string{"SP"}},
	{"Speaker Meeting", []string{"SP"}},
	{"Step and Tradition", []string{"ST", "TR"}},
	{"Twelve and Twelve", []string{"12x12"}},
	{"Daily Reflections", []string{"DR"}},
	{"Lunch Bunch", []string{"D"}},
	{"Happy Hour Group", []string{"D"}},
	{"Came to Believe", []string{"D"}},
	{"Living Sober", []string{"LS"}},
	{"Grapevine Meeting", []string{"GR"}},
	{"11th Step Meditation", []string{"11", "MED"}},
	{"Newcomers Meeting", []string{"BE"}},
	{"Beginners' Big Book", []string{"BE", "B"}},
	{"As Bill Sees It", []string{"ABSI"}},
	{"Candlelight Meeting", []string{"CAN", "D"}},
	{"Back to Basics", []string{"B", "ST"}},
	{"Primary Purpose", []string{"D"}},
	{"Into Action", []string{"ST"}},
	{"Road to Recovery", []string{"D"}},
	{"Fellowship of the Spirit", []string{"D"}},
	{"Acceptance Group", []string{"D"}},
	{"Sunrise Serenity", []string{"D"}},
	{"Sober Sisters", []string{"W", "D"}},
	{"Freethinkers AA", []string{"A", "D"}},
	{"Sunlight of the Spirit", []string{"D"}},
	{"Language of the Heart", []string{"LIT"}},
	{"Seniors in Sobriety", []string{"SEN", "D"}},
	{"Attitude Adjustment", []string{"D"}},
}

// aaNamesES are Spanish-language AA meeting names.
var aaNamesES = []named{
	{"Grupo Nueva Vida", []string{"D"}},
	{"Grupo Serenidad", []string{"D"}},
	{"Grupo Renacer", []string{"D"}},
	{"Grupo 24 Horas", []string{"D"}},
	{"Grupo Libertad", []string{"D"}},
	{"Grupo Esperanza", []string{"D"}},
	{"Grupo Unidad", []string{"D"}},
	{"Grupo Amanecer", []string{"D"}},
	{"Grupo Paz y Armonía", []string{"D"}},
	{"Grupo Libro Grande", []string{"B"}},
	{"Grupo Doce Pasos", []string{"ST"}},
	{"Grupo Mujeres en Recuperación", []string{"W", "D"}},
	{"Grupo Jóvenes en Acción", []string{"Y", "D"}},
	{"Grupo Oradores", []string{"SP"}},
}

// aaNamesPT are Portuguese-language AA meeting names.
var aaNamesPT = []named{
	{"Grupo Nova Vida", []string{"D"}},
	{"Grupo Esperança", []string{"D"}},
	{"Grupo Serenidade", []string{"D"}},
	{"Grupo Liberdade", []string{"D"}},
	{"Grupo Amor e Serviço", []string{"D"}},
	{"Grupo Renascer", []string{"D"}},
	{"Grupo Livro Azul", []string{"B"}},
	{"Grupo Doze Passos", []string{"ST"}},
}

// aaNamesFR are French-language AA meeting names.
var aaNamesFR = []named{
	{"Groupe Sérénité", []string{"D"}},
	{"Groupe Espoir", []string{"D"}},
	{"Groupe Renaissance", []string{"D"}},
	{"Groupe Liberté", []string{"D"}},
	{"Groupe Un jour à la fois", []string{"D"}},
	{"Groupe Gros Livre", []string{"B"}},
	{"Groupe Douze Étapes", []string{"ST"}},
	{"Groupe des Femmes", []string{"W", "D"}},
}

// aaNamesDE are German-language AA meeting names.
var aaNamesDE = []named{
	{"AA-Gruppe Gelassenheit", []string{"D"}},
	{"AA-Gruppe Neuanfang", []string{"D"}},
	{"AA-Gruppe Hoffnung", []string{"D"}},
	{"AA-Gruppe Freiheit", []string{"D"}},
	{"AA-Gruppe Heute nicht", []string{"D"}},
	{"AA Blaues Buch", []string{"B"}},
	{"AA Zwölf Schritte", []string{"ST"}},
	{"AA Frauenmeeting", []string{"W", "D"}},
}

// naNames are English-language NA meeting names.
var naNames = []named{
	{"Just For Today", nil},
	{"Clean and Serene", nil},
	{"Recovery in Action", nil},
	{"Miracles Happen", nil},
	{"Never Alone", nil},
	{"Clean Start", nil},
	{"Living Clean", nil},
	{"Basic Text Study", []string{"LIT"}},
	{"Step Working Group", []string{"ST"}},
	{"Newcomers Welcome", []string{"BE"}},
	{"Freedom Group", nil},
	{"Another Chance", nil},
	{"New Beginnings", []string{"BE"}},
	{"Spiritual Principle a Day", []string{"LIT"}},
}

// naNamesES are Spanish-language NA meeting names.
var naNamesES = []named{
	{"Grupo Sólo por Hoy NA", nil},
	{"Grupo Limpios y Serenos", nil},
	{"Grupo Nunca Solos", nil},
	{"Grupo Nuevo Amanecer NA", []string{"BE"}},
	{"Grupo Pasos de Vida", []string{"ST"}},
}

// alAnonNames are Al-Anon and Alateen group names.
var alAnonNames = []named{
	{"Hope for Today Al-Anon Family Group", nil},
	{"Courage to Change Al-Anon Family Group", nil},
	{"One Day at a Time Al-Anon Family Group", nil},
	{"Serenity Seekers Al-Anon Family Group", nil},
	{"Steps to Recovery Al-Anon", []string{"ST"}},
	{"Al-Anon Newcomers", []string{"BE"}},
	{"Alateen Group", []string{"Y"}},
	{"Parents of Alcoholics Al-Anon", nil},
}

// alAnonNamesES are Spanish-language Al-Anon group names.
var alAnonNamesES = []named{
	{"Grupo de Familia Al-Anon Esperanza", nil},
	{"Grupo de Familia Al-Anon Valor para Cambiar", nil},
	{"Grupo de Familia Al-Anon Un Día a la Vez", nil},
}

// otherNames are meetings of fellowships and programs outside the named ones.
var otherNames = []named{
	{"Recovery Dharma", []string{"MED"}},
	{"Cocaine Anonymous", nil},
	{"Crystal Meth Anonymous", nil},
	{"Marijuana Anonymous", nil},
	{"Gamblers Anonymous", nil},
	{"Overeaters Anonymous", nil},
	{"Dual Recovery Anonymous", []string{"DD"}},
	{"Women for Sobriety", []string{"W"}},
	{"LifeRing Secular Recovery", []string{"A"}},
}

// activityNames are sober activity groups; OUT marks those held outdoors.
var activityNames = []named{
	{"Sober Hiking Club", []string{"OUT"}},
	{"Recovery Art Studio", nil},
	{"Sober Volunteers", nil},
	{"Sober Running Club", []string{"OUT"}},
	{"Sober Cycling Group", []string{"OUT"}},
	{"Recovery Yoga", []string{"MED"}},
	{"Sober Book Club", nil},
	{"Recovery Coffee and Board Games", nil},
	{"Sober Walking Group", []string{"OUT"}},
	{"Sober Softball League", []string{"OUT"}},
}

// neighborhoods are generic district names used in SMART and group names.
var neighborhoods = []string{
	"Downtown", "Midtown", "Uptown", "Northside", "Eastside", "Westside", "Southside",
	"Riverside", "Harborview", "Hillside", "Old Town", "University District", "Lakeside",
	"Park Slope", "Westfield", "Oak Hill",
}

// neighborhoodsES are generic district names for Spanish-speaking cities.
var neighborhoodsES = []string{"Centro", "Norte", "Sur", "Oriente", "Poniente", "San Ángel", "Las Flores", "El Carmen"}

// churches are congregations that host meetings (and Celebrate Recovery).
var churches = []string{
	"Grace Community Church", "First Presbyterian Church", "St. Mark's Episcopal Church",
	"Trinity Lutheran Church", "First Baptist Church", "St. Paul's United Methodist Church",
	"Holy Family Catholic Church", "Calvary Chapel", "New Life Church",
	"Cornerstone Church", "Christ the King Church", "Hope Fellowship",
	"Unitarian Universalist Congregation", "St. Andrew's Church",
}

// churchesES are Spanish-language congregations.
var churchesES = []string{
	"Parroquia San José", "Iglesia de Santa María", "Parroquia Nuestra Señora de Guadalupe",
	"Iglesia Cristiana Vida Nueva", "Templo de la Merced", "Parroquia del Sagrado Corazón",
}

// venuesEN are the non-church places that host meetings, in English.
var venuesEN = []string{
	"Community Center", "Alano Club", "Public Library, Community Room", "YMCA",
	"Recovery Clubhouse", "Senior Center", "Memorial Hospital, Conference Room B",
	"Friends Meeting House", "Veterans Hall", "Neighborhood House", "Recreation Center",
}

// venuesUK are meeting places in Britain, Ireland and the Commonwealth.
var venuesUK = []string{
	"Community Centre", "St. Mary's Church Hall", "Methodist Church Hall", "Parish Hall",
	"Quaker Meeting House", "Salvation Army Hall", "Library Meeting Room", "Scout Hall",
	"St. John's Church", "Baptist Church", "Friends Meeting House", "Wellbeing Centre",
}

// venuesES are meeting places in Spanish-speaking cities.
var venuesES = []string{
	"Centro Comunitario", "Casa de la Cultura", "Salón Parroquial", "Centro Cívico",
	"Biblioteca Municipal", "Casa del Pueblo",
}

// venuesPT are meeting places in Portuguese-speaking cities.
var venuesPT = []string{
	"Paróquia São José", "Igreja Nossa Senhora da Paz", "Centro Comunitário",
	"Salão Paroquial", "Casa de Cultura", "Igreja Metodista Central",
}

// venuesFR are meeting places in French-speaking cities.
var venuesFR = []string{
	"Église Saint-Pierre", "Salle paroissiale", "Maison des associations",
	"Centre communautaire", "Temple protestant", "Maison de quartier",
}

// venuesDE are meeting places in German-speaking cities.
var venuesDE = []string{
	"Evangelisches Gemeindehaus", "Pfarrheim St. Josef", "Nachbarschaftshaus",
	"Selbsthilfezentrum", "Bürgerhaus", "Kirchengemeinde St. Marien",
}

// venuesIntl are meeting places in cities whose meetings use English names
// though the local language is another (international and expat meetings).
var venuesIntl = []string{
	"International Church", "St. Andrew's Church", "Community Centre",
	"Union Church Hall", "Anglican Church Hall", "Wellness Centre",
}

// streetsEN are street names written after the house number.
var streetsEN = []string{
	"Main Street", "Oak Avenue", "Maple Street", "Park Avenue", "Church Street",
	"Elm Street", "Washington Avenue", "Lincoln Road", "Broadway", "Cedar Lane",
	"Pine Street", "Lake Street", "River Road", "Mill Road", "Station Road",
	"King Street", "Queen Street", "Victoria Road", "High Street", "Chestnut Street",
	"Franklin Avenue", "Jefferson Street", "Spring Street", "Union Street",
}

// streetsUK are British-style street names written after the house number.
var streetsUK = []string{
	"High Street", "Station Road", "Church Road", "Victoria Road", "King Street",
	"Queen Street", "Park Road", "Mill Lane", "The Crescent", "George Street",
	"London Road", "Albert Street", "Green Lane", "Manor Road", "North Street",
}

// venuesAntarctica are the rooms of a research station.
var venuesAntarctica = []string{"Chapel of the Snows", "Galley Conference Room", "Recreation Room"}

// streetsAntarctica are the roads of a research station.
var streetsAntarctica = []string{"Building"}

// streetsES are Spanish street names written before the house number.
var streetsES = []string{
	"Calle Hidalgo", "Avenida Juárez", "Calle Morelos", "Avenida del Libertador",
	"Calle Bolívar", "Calle San Martín", "Avenida de la Constitución", "Calle Mayor",
	"Calle del Sol", "Avenida Independencia", "Calle de las Flores", "Calle Real",
}

// streetsPT are Portuguese street names written before the house number.
var streetsPT = []string{
	"Rua das Flores", "Rua São Bento", "Avenida Brasil", "Rua da Liberdade",
	"Rua do Comércio", "Avenida da República", "Rua Santa Clara", "Rua Direita",
}

// streetsFR are French street names written after the house number.
var streetsFR = []string{
	"Rue de la Paix", "Rue Victor Hugo", "Avenue de la République", "Rue des Lilas",
	"Boulevard Voltaire", "Rue Saint-Denis", "Rue du Moulin", "Rue de l'Église",
}

// streetsDE are German street names written before the house number.
var streetsDE = []string{
	"Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schillerstraße", "Goethestraße",
	"Lindenstraße", "Kirchstraße", "Mozartstraße",
}

// meetingNotes are occasional notes on a meeting.
var meetingNotes = []string{
	"Newcomers welcome.",
	"Literature available at the meeting.",
	"Chip and birthday night on the last meeting of the month.",
	"Please arrive a few minutes early to help set up.",
	"Fellowship after the meeting at a nearby café.",
	"This is a demo listing generated for testing; it is not a real meeting.",
	"Format rotates weekly: speaker, discussion, step study.",
	"Coffee and tea provided.",
}

// locationNotes are occasional notes on a meeting place.
var locationNotes = []string{
	"Enter through the side door.",
	"Meeting room is downstairs.",
	"Parking in the rear lot.",
	"Ring the bell at the back entrance.",
	"Second floor, elevator available.",
	"Street parking only.",
	"Follow the signs to the parish hall.",
}

// urlNotes go with an online meeting's join link.
var urlNotes = []string{
	"Passcode: serenity",
	"Passcode: 12steps",
	"Passcode: recovery",
	"Waiting room enabled; cameras optional.",
}

// groupSuffixes make group names from neighborhoods ("Riverside Group").
var groupSuffixes = []string{" Group", " Fellowship", " Home Group", " Sobriety Group"}
