package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/netzbot/netzbot/internal/offer"
)

// freeText answers text outside any flow: it is a search of the offer
// directory. Text without anything to search for (only punctuation or
// emoji, or markup) gets the "not understood" answer with the main menu.
func (b *Bot) freeText(ctx context.Context, r *Request) ([]Reply, error) {
	if b.d.Offers == nil || offer.Garbage(r.Text) || strings.ContainsAny(r.Text, "<>") {
		return []Reply{b.mainMenu(r.L, "unknown_text")}, nil
	}
	return b.search(ctx, r, r.Text, false)
}

// search runs a search and shows the first page, or the no-result answer.
func (b *Bot) search(ctx context.Context, r *Request, text string, edit bool) ([]Reply, error) {
	text = strings.Join(strings.Fields(text), " ")
	qid, err := b.d.Offers.SaveQuery(ctx, text)
	if err != nil {
		return nil, err
	}
	ref := listRef{kind: "s", arg: strconv.FormatInt(qid, 10), text: text}
	rep, err := b.listReply(ctx, r, ref)
	if err != nil {
		return b.offerError(ctx, r, err)
	}
	if !strings.Contains(rep.Text, r.L.T("offers_list_empty")) {
		rep.Edit = edit
		return []Reply{rep}, nil
	}
	// Nothing found: say so, keep the query (anonymously) for the
	// coordinators, suggest a similar keyword and the categories.
	if err := b.d.Offers.RecordMiss(ctx, text, r.L.Lang); err != nil {
		return nil, err
	}
	l := r.L
	if r.Filters.Active() {
		// Filters may be what hides the results: offer to drop them.
		return []Reply{{Text: l.T("offers_none_filtered", "Query", text), Edit: edit, Buttons: append(Keyboard{
			Row(l, Button{Text: l.T("offers_filter_reset"), Data: "of:f:reset:-:" + ref.String()}),
		}, categoryKeyboard(l, true)...)}}, nil
	}
	sug, err := b.d.Offers.Suggest(ctx, text)
	if err != nil {
		return nil, err
	}
	if sug == nil {
		// Nothing even similar: most likely not a search at all.
		return []Reply{{Text: l.T("unknown_text"), Buttons: categoryKeyboard(l, true), Edit: edit}}, nil
	}
	kb := Keyboard{{{Text: "🔎 " + sug.Keyword, Data: fmt.Sprintf("of:dym:%s:%s:%d", sug.Category, sug.Lang, sug.Index)}}}
	kb = append(kb, categoryKeyboard(l, true)...)
	return []Reply{{Text: l.T("offers_none", "Query", text, "Suggestion", sug.Keyword), Buttons: kb, Edit: edit}}, nil
}

// didYouMean searches the suggested category keyword.
func (b *Bot) didYouMean(ctx context.Context, r *Request, cat, lang, idx string) ([]Reply, error) {
	i, err := strconv.Atoi(idx)
	kws := offer.Keywords[cat][lang]
	if err != nil || i < 0 || i >= len(kws) || strconv.Itoa(i) != idx {
		return b.staleButton(ctx, r)
	}
	return b.search(ctx, r, kws[i], true)
}
