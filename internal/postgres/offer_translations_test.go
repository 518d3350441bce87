package postgres_test

import (
	"maps"
	"testing"

	"github.com/netzbot/netzbot/internal/offer/sample"
)

func TestOffersByExternalIDHaveTheirTexts(t *testing.T) {
	s := sampleStore(t)
	f, _ := sample.File()
	want := f.Offers[3]
	got, err := s.ByExternalIDs(t.Context(), []string{want.ExternalID, "no-such-offer"})
	if err != nil || len(got) != 1 {
		t.Fatalf("got %d offers, %v", len(got), err)
	}
	o := got[want.ExternalID]
	if o == nil || o.SourceLanguage != want.SourceLanguage || !maps.Equal(o.Texts, want.Texts) {
		t.Errorf("offer %s: %+v, want the texts %+v", want.ExternalID, o, want.Texts)
	}
	if none, err := s.ByExternalIDs(t.Context(), nil); err != nil || len(none) != 0 {
		t.Errorf("no ids: %v %v", none, err)
	}
}
