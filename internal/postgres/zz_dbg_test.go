//go:build offexp

package postgres_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
)

func TestDbgQuery(t *testing.T) {
	s := sampleStore(t)
	today := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, q := range strings.Split(os.Getenv("Q"), "|") {
		p, err := s.List(t.Context(), offer.ListQuery{Text: q, Lang: os.Getenv("L"), Today: today, Limit: 8})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(q, p.Total, p.Corrections)
		for _, h := range p.Hits {
			fmt.Printf("   %-28s %-12s %.3f\n", h.Offer.ExternalID, h.Offer.Category, h.Score)
		}
	}
}
