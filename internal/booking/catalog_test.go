package booking_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/locale"
)

func TestSampleCatalogParses(t *testing.T) {
	c, err := booking.ParseCatalog(bytes.NewReader(booking.SampleYAML))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Services) != 4 || len(c.Counsellors) != 4 || len(c.Holidays) != 5 || len(c.Organisations) != 2 {
		t.Fatalf("sample: %d services, %d counsellors, %d holidays", len(c.Services), len(c.Counsellors), len(c.Holidays))
	}
	// The demo must be able to book in every shipped language.
	for _, s := range c.Services {
		for _, lang := range locale.Supported {
			if s.Names[lang] == "" || s.Descriptions[lang] == "" {
				t.Errorf("service %s has no name or description in %s", s.ExternalID, lang)
			}
		}
	}
	want := map[string]string{"amira-haddad": "ar,de", "olena-kovalenko": "uk,ru,de", "farid-ahmadi": "fa,ps,de", "deniz-yildiz": "tr,ku,de"}
	for _, k := range c.Counsellors {
		if got := strings.Join(k.Languages, ","); got != want[k.ExternalID] {
			t.Errorf("counsellor %s speaks %s, want %s", k.ExternalID, got, want[k.ExternalID])
		}
		if len(k.Rules) == 0 {
			t.Errorf("counsellor %s has no hours", k.ExternalID)
		}
	}
	if h := c.Holidays[3]; h.AllDay || h.From != 12*60 || h.To != 24*60 {
		t.Errorf("half holiday: %+v", h)
	}
	if c.Services[0].Duration != 45*time.Minute || !c.Services[0].Venue.HasLocation {
		t.Errorf("service: %+v", c.Services[0])
	}
}

func TestCatalogErrorsSayWhere(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"services:\n  - {id: a, duration: 3m, languages: [de], name: {de: A}}", "services[0] (a): duration"},
		{"services:\n  - {id: a, duration: 30m, languages: [xx], name: {de: A}}", `"xx" is not one of`},
		{"services:\n  - {id: a, duration: 30m, languages: [de]}", "a name is required"},
		{"counsellors:\n  - {id: k, name: K, languages: [de], services: [a], hours: [{days: [mon], from: '12:00', to: '09:00'}]}", "hours[0]"},
		{"counsellors:\n  - {id: k, name: K, languages: [de], services: [a], hours: [{days: [xyz], from: '09:00', to: '12:00'}]}", `"xyz" is not a weekday`},
		{"counsellors:\n  - {id: k, name: K, languages: [de], services: []}", "at least one service"},
		{"holidays:\n  - 2026-13-01", "holidays[0]"},
		{"holidays:\n  - {date: 2026-12-01, kind: extra, from: '09:00', to: '10:00'}", "cannot add hours"},
		{"servces: []", "field servces not found"},
	} {
		_, err := booking.ParseCatalog(strings.NewReader(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want an error containing %q", tc.yaml, err, tc.want)
		}
	}
}
