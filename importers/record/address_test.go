package record

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitAddress(t *testing.T) {
	for _, c := range []struct {
		in   string
		want AddressParts
	}{
		// The shapes of the real TSML feeds in ../shared/data.
		{"13200 Lincoln Ave, San Martin, CA 95046, USA", AddressParts{"13200 Lincoln Ave", "San Martin", "CA", "95046", "USA"}},
		{"San Jose, CA, USA", AddressParts{"", "San Jose", "CA", "", "USA"}},
		{"Milpitas, CA 95035, USA", AddressParts{"", "Milpitas", "CA", "95035", "USA"}},
		{"Jacksol Dr & Barrett Ave, San Jose, CA 95124, USA", AddressParts{"Jacksol Dr & Barrett Ave", "San Jose", "CA", "95124", "USA"}},
		{"852 Market Street, 852 Market St, Santa Clara, CA 95050, USA", AddressParts{"852 Market Street", "Santa Clara", "CA", "95050", "USA"}},
		{"315 North Street, Doylestown, PA, USA", AddressParts{"315 North Street", "Doylestown", "PA", "", "USA"}},
		{"979 West County Line Road, Hatboro, PA, 19040, USA", AddressParts{"979 West County Line Road", "Hatboro", "PA", "19040", "USA"}},
		{"Student Faculty Center, 3340 N Broad St, Philadelphia, PA 19140, USA", AddressParts{"3340 N Broad St", "Philadelphia", "PA", "19140", "USA"}},
		{"St Paul Lutheran Church, 50 E Plumstead Ave, Lansdowne, PA, USA", AddressParts{"50 E Plumstead Ave", "Lansdowne", "PA", "", "USA"}},
		{"704 West Nields Street, West Chester, East Bradford, PA 19382, USA", AddressParts{"704 West Nields Street", "East Bradford", "PA", "19382", "USA"}},
		{"3800 Vaux St, Philadelphia, PA 19129", AddressParts{"3800 Vaux St", "Philadelphia", "PA", "19129", ""}},
		{"NY-17B, Callicoon, NY, USA", AddressParts{"NY-17B", "Callicoon", "NY", "", "USA"}},
		{"Herringbone Lane & Station Avenue, Bensalem Township, PA, 19020, USA", AddressParts{"Herringbone Lane & Station Avenue", "Bensalem Township", "PA", "19020", "USA"}},
		// The town is not told apart from the street: only what is sure.
		{"325 Cherry St. Philadelphia, PA 19106", AddressParts{Region: "PA", PostalCode: "19106"}},
		{"2203 Harmonyville rd. Elverson, PA. 19520", AddressParts{Region: "PA", PostalCode: "19520"}},
		// A place name is no street; a suite stays with its street.
		{"Trinity Church, Springfield, IL 62701, USA", AddressParts{"", "Springfield", "IL", "62701", "USA"}},
		{"123 Main St, Suite 4, Springfield, IL 62701-1234, USA", AddressParts{"123 Main St, Suite 4", "Springfield", "IL", "62701-1234", "USA"}},
		// States and provinces spelled out, and Canada.
		{"Edmonton, Alberta, Canada", AddressParts{"", "Edmonton", "Alberta", "", "Canada"}},
		{"10025 102A Ave NW, Edmonton, AB T5J 2Z2, Canada", AddressParts{"10025 102A Ave NW", "Edmonton", "AB", "T5J 2Z2", "Canada"}},
		{"1 Front St, Belleville, ON K8N 1A1", AddressParts{"1 Front St", "Belleville", "ON", "K8N 1A1", ""}},
		{"8406 118 Avenue NW, Edmonton, Alberta, T5B 0S5, Canada", AddressParts{"8406 118 Avenue NW", "Edmonton", "Alberta", "T5B 0S5", "Canada"}},
		{"#201 14567 118 Avenue NW, Edmonton, Alberta, T5L 2M7, Canada", AddressParts{"#201 14567 118 Avenue NW", "Edmonton", "Alberta", "T5L 2M7", "Canada"}},
		{"Edmonton, Alberta, T5B 0S5, Canada", AddressParts{"", "Edmonton", "Alberta", "T5B 0S5", "Canada"}},
		{"1 Main St, Toronto, Ontario, 12345", AddressParts{}}, // a ZIP with a province
		{"Austin, Texas, United States", AddressParts{"", "Austin", "Texas", "", "United States"}},
		// International shapes.
		{"1 Trafalgar Sq, London WC2N 5DN, UK", AddressParts{"1 Trafalgar Sq", "London", "", "WC2N 5DN", "UK"}},
		{"1 Macquarie St, Sydney NSW 2000, Australia", AddressParts{"1 Macquarie St", "Sydney", "NSW", "2000", "Australia"}},
		{"Hauptstraße 5, 10115 Berlin, Germany", AddressParts{"Hauptstraße 5", "Berlin", "", "10115", "Germany"}},
		{"12 Rue de Rivoli, 75004 Paris, France", AddressParts{"12 Rue de Rivoli", "Paris", "", "75004", "France"}},
		{"Damrak 1, 1012 LG Amsterdam, Netherlands", AddressParts{"Damrak 1", "Amsterdam", "", "1012 LG", "Netherlands"}},
		{"Drottninggatan 1, 111 51 Stockholm, Sverige", AddressParts{"Drottninggatan 1", "Stockholm", "", "111 51", "Sverige"}},
		// Too little to tell: left empty, or only the country.
		{"", AddressParts{}},
		{"Chicago", AddressParts{}},
		{"Springfield, Narnia", AddressParts{}},
		{"10 Downing St, London, UK", AddressParts{Country: "UK"}},
		{"Somewhere, USA", AddressParts{Country: "USA"}},
		{"1 Main St, Springfield, ZZ 12345, USA", AddressParts{Country: "USA"}},
		{"1 Main St, Toronto, ON 12345", AddressParts{}},                        // a ZIP with a province
		{"1 Main St, Springfield, IL, Canada", AddressParts{Country: "Canada"}}, // a state in Canada
		{"1234 Main St, Springfield, France", AddressParts{Country: "France"}},
	} {
		if d := cmp.Diff(c.want, SplitAddress(c.in)); d != "" {
			t.Errorf("SplitAddress(%q) (-want +got):\n%s", c.in, d)
		}
	}
}
