package translate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/netzbot/netzbot/internal/offer"
)

// maxTitleRunes is the longest title an import file may have
// (offer.ParseYAML): a longer machine title is cut, or an export of the
// directory could not be imported again.
const maxTitleRunes = 120

// Filler fills the missing languages of offers at import with machine
// translations from their source language. People's texts win: a
// language the file has as original or reviewed is never touched, and a
// machine text the file brings is kept unless it is the stored one and
// its source changed. A machine translation that is stored and was made
// from the same source text is reused without asking the provider, so
// importing the same file again costs nothing; one whose source changed
// is translated again, or dropped if that fails. Failures never fail the
// import: they are in the Report, and the next import fills the gaps.
type Filler struct {
	Provider Provider
	// Languages are the languages to fill; nil: all of ours (Languages).
	Languages []string
	// DryRun lists what would be translated (Report.Planned) without
	// asking the provider for translations.
	DryRun bool

	supported map[string]bool // nil until the provider listed them
}

// Report is what Fill did to one offer.
type Report struct {
	Offer       string    // external id
	Translated  []string  // languages machine-translated now
	Reused      []string  // stored machine translations of the same source text
	Planned     []string  // DryRun: languages that would be translated
	Unsupported []string  // languages the provider does not translate
	Failed      []Failure // languages whose translation failed
}

// Failure is a language that could not be translated, and why.
type Failure struct {
	Lang string
	Err  error
}

// Noteworthy reports whether the report says more than "reused" (or
// nothing), i.e. whether the import should print it.
func (r *Report) Noteworthy() bool {
	return len(r.Translated)+len(r.Planned)+len(r.Failed) > 0
}

// String is the report as a line: "offer X: ar, fa machine-translated;
// en reused; ti not supported by the provider; ps failed: provider
// unavailable (HTTP 503)".
func (r *Report) String() string {
	var parts []string
	add := func(langs []string, what string) {
		if len(langs) > 0 {
			parts = append(parts, strings.Join(langs, ", ")+" "+what)
		}
	}
	add(r.Translated, "machine-translated")
	add(r.Planned, "would be machine-translated")
	add(r.Reused, "reused")
	add(r.Unsupported, "not supported by the provider")
	// Failures with the same reason share a clause.
	var reasons []string
	byReason := map[string][]string{}
	for _, f := range r.Failed {
		why := Reason(f.Err)
		if _, ok := byReason[why]; !ok {
			reasons = append(reasons, why)
		}
		byReason[why] = append(byReason[why], f.Lang)
	}
	for _, why := range reasons {
		parts = append(parts, strings.Join(byReason[why], ", ")+" failed: "+why)
	}
	if len(parts) == 0 {
		parts = []string{"nothing to translate"}
	}
	return "offer " + r.Offer + ": " + strings.Join(parts, "; ")
}

// Fill adds machine translations to o.Texts; prev is the stored version
// of the same offer (nil for a new one).
func (f *Filler) Fill(ctx context.Context, o *offer.Offer, prev *offer.Offer) Report {
	rep := Report{Offer: o.ExternalID}
	src, ok := o.Texts[o.SourceLanguage]
	if !ok || src.Title == "" {
		return rep // the file's validation makes this impossible
	}
	var todo []string
	stale := map[string]bool{}
	for _, l := range f.languages() {
		if l == o.SourceLanguage {
			continue
		}
		t, has := o.Texts[l]
		if has && !(t.Status == offer.StatusMachine && staleMachine(t, l, o, prev)) {
			continue // people's text, or a machine text the file brings
		}
		stale[l] = has
		if old, ok := reusable(l, o, prev); ok {
			o.Texts[l] = old
			rep.Reused = append(rep.Reused, l)
			continue
		}
		todo = append(todo, l)
	}
	if len(todo) == 0 {
		return rep
	}
	// A stale machine text that cannot be replaced is dropped: German (or
	// English) is better than a translation of what the offer no longer says.
	drop := func(l string) {
		if stale[l] && !f.DryRun {
			delete(o.Texts, l)
		}
	}
	if err := f.loadSupported(ctx); err != nil {
		for _, l := range todo {
			rep.Failed = append(rep.Failed, Failure{l, err})
			drop(l)
		}
		return rep
	}
	for _, l := range todo {
		switch {
		case !f.supported[l] || !f.supported[o.SourceLanguage]:
			rep.Unsupported = append(rep.Unsupported, l)
			drop(l)
		case f.DryRun:
			rep.Planned = append(rep.Planned, l)
		default:
			t, err := f.translate(ctx, o, prev, l)
			switch {
			case err == nil:
				o.Texts[l] = t
				rep.Translated = append(rep.Translated, l)
			case errorsIsUnsupported(err):
				rep.Unsupported = append(rep.Unsupported, l)
				drop(l)
			default:
				rep.Failed = append(rep.Failed, Failure{l, err})
				drop(l)
			}
		}
	}
	return rep
}

func (f *Filler) languages() []string {
	if f.Languages != nil {
		return f.Languages
	}
	return Languages
}

// loadSupported asks the provider for its languages once per Filler (a
// failure is asked again at the next offer; the Breaker keeps that cheap).
func (f *Filler) loadSupported(ctx context.Context) error {
	if f.supported != nil {
		return nil
	}
	langs, err := f.Provider.Languages(ctx)
	if err != nil {
		return err
	}
	f.supported = map[string]bool{}
	for _, l := range langs {
		f.supported[l] = true
	}
	return nil
}

// translate makes the machine text of lang: the title and description of
// the source text, in one request, or only the field whose source
// changed when the stored machine text has the other one right.
func (f *Filler) translate(ctx context.Context, o, prev *offer.Offer, lang string) (offer.Text, error) {
	src := o.Texts[o.SourceLanguage]
	out := offer.Text{Status: offer.StatusMachine}
	var texts []string
	var dst []*string
	old, _ := sameSourceMachine(lang, o, prev)
	if old.title {
		out.Title = old.text.Title
	} else {
		texts, dst = append(texts, src.Title), append(dst, &out.Title)
	}
	if old.description {
		out.Description = old.text.Description
	} else if src.Description != "" {
		texts, dst = append(texts, src.Description), append(dst, &out.Description)
	}
	got, err := f.Provider.Translate(ctx, texts, o.SourceLanguage, lang)
	if err != nil {
		return offer.Text{}, err
	}
	if len(got) != len(texts) {
		return offer.Text{}, fmt.Errorf("%s gave %d translations for %d texts: %w", f.Provider.Name(), len(got), len(texts), ErrUnavailable)
	}
	for i, s := range got {
		*dst[i] = strings.TrimSpace(s)
	}
	if out.Title == "" {
		return offer.Text{}, &Error{Kind: ErrUnavailable, Provider: f.Provider.Name(), Cause: "empty translation",
			Msg: f.Provider.Name() + " translated the title to nothing"}
	}
	out.Title = cutTitle(out.Title)
	return out, nil
}

// staleMachine reports whether the file's machine text t of lang is the
// stored one made from a source text that has changed since: an export
// imported again after its German was edited must not keep the old
// translation.
func staleMachine(t offer.Text, lang string, o, prev *offer.Offer) bool {
	if prev == nil || prev.SourceLanguage != o.SourceLanguage {
		return false
	}
	old, ok := prev.Texts[lang]
	if !ok || old.Status != offer.StatusMachine || old.Title != t.Title || old.Description != t.Description {
		return false
	}
	was, now := prev.Texts[prev.SourceLanguage], o.Texts[o.SourceLanguage]
	return was.Title != now.Title || was.Description != now.Description
}

// reusable is the stored machine text of lang if it was made from the
// same source title and description.
func reusable(lang string, o, prev *offer.Offer) (offer.Text, bool) {
	old, ok := sameSourceMachine(lang, o, prev)
	if !ok || !old.title || !old.description {
		return offer.Text{}, false
	}
	return old.text, true
}

// machineMatch is a stored machine text and which of its fields were
// made from the same source field as the new offer has.
type machineMatch struct {
	text               offer.Text
	title, description bool
}

func sameSourceMachine(lang string, o, prev *offer.Offer) (machineMatch, bool) {
	if prev == nil || prev.SourceLanguage != o.SourceLanguage {
		return machineMatch{}, false
	}
	old, ok := prev.Texts[lang]
	if !ok || old.Status != offer.StatusMachine || old.Title == "" {
		return machineMatch{}, false
	}
	was, now := prev.Texts[prev.SourceLanguage], o.Texts[o.SourceLanguage]
	m := machineMatch{text: old, title: was.Title == now.Title, description: was.Description == now.Description}
	// A stored description made from an empty source is no translation.
	if now.Description != "" && old.Description == "" {
		m.description = false
	}
	return m, true
}

func cutTitle(s string) string {
	r := []rune(s)
	if len(r) <= maxTitleRunes {
		return s
	}
	return strings.TrimSpace(string(r[:maxTitleRunes-1])) + "…"
}

func errorsIsUnsupported(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == ErrUnsupported && !e.Paused
}
