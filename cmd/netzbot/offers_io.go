package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/importlimit"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/offer/sample"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/search"
	"github.com/netzbot/netzbot/internal/translate"
)

const importUsage = `usage: netzbot import offers [--dry-run] [--prune] FILE

FILE is YAML (.yaml, .yml) or CSV (.csv); the format is in README.md.
Offers and organisations are matched by their id: a second import updates
them and never duplicates. Every row is checked first; any problem is
printed as file:row: field: problem and nothing is changed.
With TRANSLATE_PROVIDER set, missing languages of titles and descriptions
are first machine-translated (README.md: Machine translation).
  --dry-run  check and count, change nothing (and translate nothing)
  --prune    deactivate offers that are not in FILE`

// runImport is "netzbot import offers FILE".
func runImport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "booking" {
		return runImportBooking(ctx, args[1:], stdout, stderr) // booking.go
	}
	if len(args) > 0 && args[0] == "meetings" {
		return runImportMeetings(ctx, args[1:], stdout, stderr) // network.go
	}
	if len(args) > 0 && args[0] == "lexicon" {
		return runImportLexicon(ctx, args[1:], stdout, stderr) // lexicon.go
	}
	if len(args) == 0 || args[0] != "offers" {
		fmt.Fprintln(stderr, importUsage)
		return fmt.Errorf("%w: import: want \"import offers FILE\"", errUsage)
	}
	fs := flag.NewFlagSet("import offers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, importUsage) }
	dry := fs.Bool("dry-run", false, "check and count, change nothing")
	prune := fs.Bool("prune", false, "deactivate offers that are not in the file")
	if err := fs.Parse(reorderFlags(args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, importUsage)
		return fmt.Errorf("%w: import offers: want one FILE", errUsage)
	}
	name := fs.Arg(0)
	data, err := importlimit.ReadFile(name) // at most 10 MiB
	if err != nil {
		return err
	}
	f, err := parseOfferFile(name, data)
	if err != nil {
		return reportProblems(stderr, err)
	}
	if err := importlimit.CheckRows(name, len(f.Offers)+len(f.Organisations)); err != nil {
		return err
	}
	cfg, db, err := openCLIDatabase(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	// No logger: the import prints what the provider's failures were.
	tr, err := translate.FromConfig(cfg.Translate, translate.Options{})
	if err != nil {
		return err
	}
	return importOffers(ctx, db.Pool, tr, f, name, postgres.ImportOptions{DryRun: *dry, Prune: *prune}, stdout, stderr)
}

// reorderFlags lets flags follow the file name: "FILE --dry-run".
func reorderFlags(args []string) []string {
	var flags, rest []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			flags = append(flags, a)
		} else {
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}

func parseOfferFile(name string, data []byte) (*offer.File, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return offer.ParseCSV(name, data)
	case ".yaml", ".yml":
		return offer.ParseYAML(name, data)
	}
	return nil, fmt.Errorf("%w: %s: want a .yaml, .yml or .csv file", errUsage, name)
}

// reportProblems prints validation problems one a line and fails.
func reportProblems(stderr io.Writer, err error) error {
	var probs offer.Problems
	if errors.As(err, &probs) {
		for _, p := range probs {
			fmt.Fprintln(stderr, p.Error())
		}
		return fmt.Errorf("%d problem(s), nothing imported", len(probs))
	}
	return err
}

// importOffers imports with progress output and prints the summary. With
// a translation provider (tr, nil: off) the missing languages are first
// filled with machine translations (offers_translate.go).
func importOffers(ctx context.Context, pool *pgxpool.Pool, tr translate.Provider, f *offer.File, name string, opt postgres.ImportOptions, stdout, stderr io.Writer) error {
	store := &postgres.OfferStore{Pool: pool}
	start := time.Now()
	if err := translateOffers(ctx, store, tr, f, opt.DryRun, stdout, stderr); err != nil {
		return err
	}
	last := time.Now()
	opt.Progress = func(done, total int) {
		if total >= 200 && (time.Since(last) > time.Second || done == total) {
			fmt.Fprintf(stderr, "%d/%d offers…\n", done, total)
			last = time.Now()
		}
	}
	res, err := store.Import(ctx, f, name, opt)
	if err != nil {
		return reportProblems(stderr, err)
	}
	verb := "imported"
	if opt.DryRun {
		verb = "dry run, nothing changed"
	}
	fmt.Fprintf(stdout, "%s (%s in %s): offers %d created, %d updated, %d unchanged, %d deactivated; organisations %d created, %d updated, %d unchanged\n",
		name, verb, time.Since(start).Round(time.Millisecond), res.Created, res.Updated, res.Unchanged, res.Deactivated,
		res.OrgsCreated, res.OrgsUpdated, res.OrgsUnchanged)
	return nil
}

const exportUsage = `usage: netzbot export offers [--format yaml|csv] [-o FILE]

Writes every offer and its organisation in the import format (default
YAML to standard output).`

// runExport is "netzbot export offers".
func runExport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "offers" {
		fmt.Fprintln(stderr, exportUsage)
		return fmt.Errorf("%w: export: want \"export offers\"", errUsage)
	}
	fs := flag.NewFlagSet("export offers", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, exportUsage) }
	format := fs.String("format", "", "yaml or csv (default: from -o's extension, else yaml)")
	out := fs.String("o", "", "write to FILE instead of standard output")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *format == "" {
		*format = "yaml"
		if strings.HasSuffix(strings.ToLower(*out), ".csv") {
			*format = "csv"
		}
	}
	if *format != "yaml" && *format != "csv" {
		return fmt.Errorf("%w: export offers: --format must be yaml or csv", errUsage)
	}
	_, db, err := openCLIDatabase(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	w := stdout
	if *out != "" {
		file, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer file.Close()
		w = file
	}
	return exportOffers(ctx, db.Pool, *format, w)
}

func exportOffers(ctx context.Context, pool *pgxpool.Pool, format string, w io.Writer) error {
	f, err := (&postgres.OfferStore{Pool: pool}).Export(ctx)
	if err != nil {
		return err
	}
	if format == "csv" {
		return offer.WriteCSV(w, f)
	}
	return offer.WriteYAML(w, f)
}

// runReport is "netzbot report searches".
func runReport(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "searches" {
		return fmt.Errorf("%w: report: want \"report searches [--days N]\"", errUsage)
	}
	fs := flag.NewFlagSet("report searches", flag.ContinueOnError)
	fs.SetOutput(stderr)
	days := fs.Int("days", 30, "look back this many days")
	limit := fs.Int("limit", 30, "show at most this many rows")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	_, db, err := openCLIDatabase(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	return reportSearches(ctx, db.Pool, time.Now().AddDate(0, 0, -*days), *limit, stdout)
}

func reportSearches(ctx context.Context, pool *pgxpool.Pool, since time.Time, limit int, w io.Writer) error {
	s := &postgres.OfferStore{Pool: pool}
	lx, err := s.SearchLexicon(ctx)
	if err != nil {
		return err
	}
	misses, err := s.Misses(ctx, since, limit)
	if err != nil {
		return err
	}
	requests, err := s.Requests(ctx, since, limit)
	if err != nil {
		return err
	}
	counts, err := s.ConceptCounts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Searches without result since %s (anonymous, folded):\n", since.Format("2006-01-02"))
	printMisses(w, lx, counts, misses)
	fmt.Fprintln(w, "\nAsked the network office for (\"tell the office what you are looking for\"):")
	printMisses(w, lx, counts, requests)
	fb, err := s.FeedbackSummary(ctx, since, limit)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\nFeedback on results (helpful / not helpful):")
	if len(fb) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, f := range fb {
		fmt.Fprintf(w, "  %3d / %-3d  %s\n", f.Helpful, f.Useless, f.Query)
	}
	return nil
}

// printMisses lists counted searches, each with what the lexicon makes of
// it: a need it knows, with how many current offers meet it (none: a gap
// in the directory), or the concept the words probably meant, with the
// one command that adds them to it.
func printMisses(w io.Writer, lx *search.Lexicon, offers map[string]int, misses []offer.Miss) {
	if len(misses) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	for _, m := range misses {
		fmt.Fprintf(w, "  %4d×  %-40s  [%s]  last %s\n", m.Count, m.Query, m.Lang, m.LastSeen.Format("2006-01-02"))
		if a := lx.Analyze(m.Query, m.Lang); len(a.Concepts) > 0 {
			c := a.Concepts[0].ID
			if a.Concepts[0].Category == search.Outside {
				fmt.Fprintf(w, "         outside what the network offers (%s)\n", c)
			} else if n := offers[c]; n == 0 {
				fmt.Fprintf(w, "         a known need (%s) that no current offer meets: a gap in the directory\n", c)
			} else {
				fmt.Fprintf(w, "         a known need (%s), met by %d current offers: check their texts or the filters\n", c, n)
			}
		} else if p, ok := lx.Propose(m.Query, m.Lang); ok {
			fmt.Fprintf(w, "         probably %s: netzbot lexicon add %s %s %q\n", p.Concept, p.Concept, m.Lang, m.Query)
		}
	}
}

// loadSampleOffers is the demo's sample loader: the sample offer directory,
// imported like any file (idempotent: a kept demo changes nothing).
func loadSampleOffers(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	f, err := sample.File()
	if err != nil {
		return err
	}
	res, err := (&postgres.OfferStore{Pool: pool}).Import(ctx, f, sample.Name, postgres.ImportOptions{})
	if err != nil {
		return err
	}
	logger.Debug("sample offers", "created", res.Created, "updated", res.Updated, "unchanged", res.Unchanged)
	return nil
}
