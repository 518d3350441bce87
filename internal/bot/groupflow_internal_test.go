package bot

import (
	"testing"
	"time"
)

func TestParseDay(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"31.03.2027": "2027-03-31", "31.3.2027": "2027-03-31", "1.1.2028": "2028-01-01", "2027-03-31": "2027-03-31",
		"29.02.2028": "2028-02-29", "29.02.2027": "", "31.04.2027": "", "13.13.2027": "", "31.03.27": "", "31.03.": "",
		"2027-3-31": "", "morgen": "", "": "", "31.03.2027 14:00": "",
	} {
		got, ok := parseDay(in, loc)
		switch {
		case want == "" && ok:
			t.Errorf("%q: read as %s, want refused", in, got)
		case want != "" && (!ok || got.Format(time.DateOnly) != want || got.Location() != loc || got.Hour() != 0):
			t.Errorf("%q: %s %v, want %s at midnight in Berlin", in, got, ok, want)
		}
	}
}
