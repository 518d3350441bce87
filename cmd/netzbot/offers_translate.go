package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/translate"
)

// translateOffers fills the missing languages of f's offers with machine
// translations before the import (see translate.Filler), printing per
// offer what was translated and what not, and a summary. The provider's
// failures never fail the import: only the database lookup of the stored
// versions can. With dryRun nothing is translated, only listed.
func translateOffers(ctx context.Context, store *postgres.OfferStore, p translate.Provider, f *offer.File, dryRun bool, stdout, stderr io.Writer) error {
	if p == nil || len(f.Offers) == 0 {
		return nil
	}
	ids := make([]string, len(f.Offers))
	for i, o := range f.Offers {
		ids[i] = o.ExternalID
	}
	stored, err := store.ByExternalIDs(ctx, ids)
	if err != nil {
		return err
	}
	filler := &translate.Filler{Provider: p, DryRun: dryRun}
	var translated, reused, planned, failed int
	var unsupported []string
	var firstErr error
	last := time.Now()
	for i := range f.Offers {
		if err := ctx.Err(); err != nil {
			return err // interrupted: import nothing
		}
		rep := filler.Fill(ctx, &f.Offers[i], stored[f.Offers[i].ExternalID])
		translated, reused, planned, failed = translated+len(rep.Translated), reused+len(rep.Reused), planned+len(rep.Planned), failed+len(rep.Failed)
		for _, l := range rep.Unsupported {
			if !slices.Contains(unsupported, l) {
				unsupported = append(unsupported, l)
			}
		}
		if len(rep.Failed) > 0 && firstErr == nil {
			firstErr = rep.Failed[0].Err
		}
		if rep.Noteworthy() {
			fmt.Fprintln(stdout, rep.String())
		}
		if time.Since(last) > 2*time.Second && i+1 < len(f.Offers) {
			fmt.Fprintf(stderr, "machine translation: %d/%d offers…\n", i+1, len(f.Offers))
			last = time.Now()
		}
	}
	parts := []string{fmt.Sprintf("%d translated", translated)}
	if dryRun {
		parts = []string{fmt.Sprintf("%d would be translated", planned)}
	}
	parts = append(parts, fmt.Sprintf("%d reused", reused))
	if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed (the import goes on without them; importing again later fills them in)", failed))
	}
	slices.SortFunc(unsupported, func(a, b string) int {
		return slices.Index(translate.Languages, a) - slices.Index(translate.Languages, b)
	})
	line := fmt.Sprintf("machine translation (%s): %s", p.Name(), strings.Join(parts, ", "))
	if len(unsupported) > 0 {
		line += fmt.Sprintf("; %s cannot translate %s", p.Name(), strings.Join(unsupported, ", "))
	}
	fmt.Fprintln(stdout, line)
	if firstErr != nil {
		fmt.Fprintf(stdout, "machine translation: the first failure was: %v\n", firstErr)
	}
	return nil
}
