package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/importlimit"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/search"
)

const lexiconImportUsage = `usage: netzbot import lexicon [--dry-run] FILE

FILE has the format of the shipped lexicon (docs/lexicon.md): concepts
with an id; for a concept the lexicon has, only the terms to add; for a
new one also its category and the German words offers use. Everything is
checked first; a problem is printed as file:line: concept: problem and
nothing is changed. Importing the same file again changes nothing. Offers
are tagged with the new terms at once; running bots load them by themselves.
  --dry-run  check and count, change nothing`

const lexiconAddUsage = `usage: netzbot lexicon add [--offer] CONCEPT LANG TERM [TERM...]

Adds what people type for CONCEPT in LANG (one of de en ar fa ps uk ru tr
ku ti ro vi), e.g. the words of a search that found nothing, as
` + "`netzbot report searches`" + ` proposes them. With --offer the TERMs are German
words offers use for it (LANG must be de).`

// runImportLexicon is `netzbot import lexicon`.
func runImportLexicon(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import lexicon", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, lexiconImportUsage) }
	dry := fs.Bool("dry-run", false, "check and count, change nothing")
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, lexiconImportUsage)
		return fmt.Errorf("%w: import lexicon: want one FILE", errUsage)
	}
	name := fs.Arg(0)
	data, err := importlimit.ReadFile(name)
	if err != nil {
		return err
	}
	add := &search.Source{}
	if ps := search.Parse(name, data, add); len(ps) > 0 {
		return reportProblems(stderr, ps)
	}
	if len(add.Concepts) == 0 {
		return fmt.Errorf("%s: no concepts: expected a list under concepts: (docs/lexicon.md)", name)
	}
	_, db, err := openCLIDatabase(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	return addToLexicon(ctx, db.Pool, add, name, *dry, stdout, stderr)
}

// runLexicon is `netzbot lexicon add`.
func runLexicon(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprintln(stderr, lexiconAddUsage)
		return fmt.Errorf("%w: lexicon: want \"lexicon add CONCEPT LANG TERM\"", errUsage)
	}
	fs := flag.NewFlagSet("lexicon add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, lexiconAddUsage) }
	offerTerms := fs.Bool("offer", false, "the terms are German words offers use")
	if err := fs.Parse(reorderFlags(args[1:])); err != nil {
		return err
	}
	if fs.NArg() < 3 {
		fmt.Fprintln(stderr, lexiconAddUsage)
		return fmt.Errorf("%w: lexicon add: want CONCEPT LANG TERM", errUsage)
	}
	id, lang, terms := fs.Arg(0), fs.Arg(1), fs.Args()[2:]
	if !slices.Contains(search.Languages, lang) {
		return fmt.Errorf("%w: lexicon add: language %q: expected one of %v", errUsage, lang, search.Languages)
	}
	c := search.Concept{ID: id, Terms: map[string][]string{}, Source: "command line:0"}
	if *offerTerms {
		if lang != "de" {
			return fmt.Errorf("%w: lexicon add --offer: offers' words are German: LANG must be de", errUsage)
		}
		c.Offer = terms
	} else {
		c.Terms[lang] = terms
	}
	_, db, err := openCLIDatabase(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	return addToLexicon(ctx, db.Pool, &search.Source{Concepts: []search.Concept{c}}, "lexicon add", false, stdout, stderr)
}

// addToLexicon checks add against the lexicon in use (shipped and added
// so far), stores it and tags the offers anew.
func addToLexicon(ctx context.Context, pool *pgxpool.Pool, add *search.Source, source string, dry bool, stdout, stderr io.Writer) error {
	store := &postgres.OfferStore{Pool: pool}
	base, ps := search.LoadBuiltin()
	if len(ps) > 0 {
		return ps
	}
	have, err := store.LexiconAdditions(ctx)
	if err != nil {
		return err
	}
	base.Merge(have)
	problems, warnings := search.CheckAdditions(base, add)
	for _, w := range warnings {
		fmt.Fprintln(stderr, "warning: "+w.Error())
	}
	if len(problems) > 0 {
		return reportProblems(stderr, problems)
	}
	if dry {
		fmt.Fprintf(stdout, "%s: %d concepts, %d terms checked; nothing changed (--dry-run)\n", source, len(add.Concepts), add.Terms())
		return nil
	}
	n, err := store.AddToLexicon(ctx, add, source)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d new terms for %d concepts (%d already there)\n", source, n, len(add.Concepts), add.Terms()-n)
	if n == 0 {
		return nil
	}
	fmt.Fprintln(stderr, "tagging the offers with the new terms …")
	if err := store.SyncKeywords(ctx); err != nil {
		return err
	}
	counts, err := store.ConceptCounts(ctx)
	if err != nil {
		return err
	}
	for _, c := range add.Concepts {
		fmt.Fprintf(stdout, "  %s: %d current offers\n", c.ID, counts[c.ID])
	}
	return nil
}
