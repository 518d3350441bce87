package offer_test

import (
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
)

func berlin(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestOpenNowAndNextOpenInBerlin(t *testing.T) {
	loc := berlin(t)
	h, err := offer.ParseHours("mon 09:00-12:00 13:00-16:00; thu 13:00-18:00; sun 00:00-24:00")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, c := range []struct {
		now        string
		open       bool
		until, nxt string
	}{
		{"2026-03-09 10:00", true, "2026-03-09 12:00", ""},  // Monday morning
		{"2026-03-09 12:30", false, "", "2026-03-09 13:00"}, // lunch break
		{"2026-03-09 16:00", false, "", "2026-03-12 13:00"}, // closes at 16:00 sharp
		{"2026-03-13 20:00", false, "", "2026-03-15 00:00"}, // Friday → Sunday
		{"2026-03-29 02:30", true, "2026-03-30 00:00", ""},  // the night clocks go forward (CEST)
		{"2026-10-25 02:30", true, "2026-10-26 00:00", ""},  // and back (CET)
	} {
		st := h.State(at(c.now), loc)
		if st.Open != c.open {
			t.Errorf("%s: open %v, want %v", c.now, st.Open, c.open)
		}
		if c.until != "" && !st.Until.Equal(at(c.until)) {
			t.Errorf("%s: until %s, want %s", c.now, st.Until, c.until)
		}
		if c.nxt != "" && !st.NextOpen.Equal(at(c.nxt)) {
			t.Errorf("%s: next %s, want %s", c.now, st.NextOpen, c.nxt)
		}
	}
	// The same moment seen from UTC is judged in Berlin.
	if st := h.State(at("2026-03-09 10:00").UTC(), loc); !st.Open {
		t.Errorf("a UTC instant was not converted to Berlin time")
	}
	if _, err := offer.ParseHours("mon 10:00-09:00"); err == nil {
		t.Error("closing before opening accepted")
	}
	if _, err := offer.ParseHours("mon 09:00-12:00 11:00-13:00"); err == nil {
		t.Error("overlap accepted")
	}
	if got := h.String(); got != "mon 09:00-12:00 13:00-16:00; thu 13:00-18:00; sun 00:00-24:00" {
		t.Errorf("String: %q", got)
	}
}

func TestTextFallsBackToGermanThenEnglish(t *testing.T) {
	o := &offer.Offer{SourceLanguage: "de", Texts: map[string]offer.Text{"de": {Title: "Titel"}, "en": {Title: "Title"}}}
	if _, in := o.Text("ar"); in != "de" {
		t.Errorf("ar reader got %s", in)
	}
	if _, in := o.Text("en"); in != "en" {
		t.Errorf("en reader got %s", in)
	}
	o.Texts = map[string]offer.Text{"en": {Title: "Title"}, "uk": {Title: "Назва"}}
	if _, in := o.Text("ar"); in != "en" {
		t.Errorf("without German: %s", in)
	}
}
