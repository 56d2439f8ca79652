package memstore

import "testing"

// TestJSONB checks jsonb against what PostgreSQL's jsonb (checked on 15) gives back for
// the same input (SELECT $1::jsonb::text).
func TestJSONB(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"keys by length, then bytes", `{"b":1,"aa":2,"ab":3, "B":4, "é":5}`, `{"B": 4, "b": 1, "aa": 2, "ab": 3, "é": 5}`},
		{"the last duplicate wins", `{"a":null,"a":true}`, `{"a": true}`},
		{"numbers as numeric writes them", `[1,2.50,1e2,-0,1.5e-3,0.0, 1E+1, -1.20e1, 12345678901234567890]`,
			`[1, 2.50, 100, 0, 0.0015, 0.0, 10, -12.0, 12345678901234567890]`},
		{"strings with jsonb's escapes", `"Z\u00e9/\n\u001f\"q\\ \u2028"`, "\"Zé/\\n\\u001f\\\"q\\\\ \u2028\""},
		{"empty containers", `{"c":{}, "d":[]}`, `{"c": {}, "d": []}`},
		{"nested", `{"location":{"city":"X"},"name":"n"}`, `{"name": "n", "location": {"city": "X"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := jsonb([]byte(tc.in))
			if err != nil || string(got) != tc.want {
				t.Errorf("jsonb(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
	if _, err := jsonb([]byte(`{"a":"\u0000"}`)); err == nil {
		t.Error(`jsonb accepts \u0000, which PostgreSQL refuses`)
	}
}
