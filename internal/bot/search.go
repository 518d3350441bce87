package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/search"
)

// freeText answers text outside any flow: it is a search of the offer
// directory. Text without anything to search for (only punctuation or
// emoji, or markup) gets the "not understood" answer with the main menu.
func (b *Bot) freeText(ctx context.Context, r *Request) ([]Reply, error) {
	if b.d.Offers == nil || search.Garbage(r.Text) || strings.ContainsAny(r.Text, "<>") {
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
	rep, page, err := b.listPage(ctx, r, ref)
	if err != nil {
		return b.offerError(ctx, r, err)
	}
	if page == nil || len(page.Hits) > 0 {
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
	// Nothing fits: say so honestly, offer the nearest areas, a similar
	// keyword if there is one, and to tell the network office what is
	// missing (stored anonymously, shown in `report searches`).
	sug, err := b.d.Offers.Suggest(ctx, text)
	if err != nil {
		return nil, err
	}
	if sug == nil && len(page.Nearest) == 0 {
		// Nothing even similar: most likely not a search at all.
		return []Reply{{Text: l.T("unknown_text"), Buttons: categoryKeyboard(l, true), Edit: edit}}, nil
	}
	var kb Keyboard
	if sug != nil {
		kb = append(kb, Keyboard{{{Text: "🔎 " + sug.Keyword, Data: fmt.Sprintf("of:dym:%s:%s:%d", sug.Category, sug.Lang, sug.Index)}}}...)
	}
	for _, id := range page.Nearest {
		if c, ok := offer.CategoryByID(id); ok {
			kb = append(kb, Row(l, Button{Text: c.Emoji + " " + l.T("offers_cat_"+c.ID), Data: "of:l:c." + c.ID + ".0"}))
		}
	}
	kb = append(kb,
		Row(l, Button{Text: l.T("offers_tell_button"), Data: "of:tell:" + strconv.FormatInt(qid, 10)}),
		Row(l, Button{Text: l.T("offers_all_areas"), Data: "of:cats"}),
		backButton(l))
	return []Reply{{Text: l.T("offers_nothing_fits", "Query", text), Buttons: kb, Edit: edit}}, nil
}

// tellOffice stores what a person looked for when nothing fitted, for
// the network office: the words and the language, no user.
func (b *Bot) tellOffice(ctx context.Context, r *Request, arg string) ([]Reply, error) {
	id, ok := parseID(arg)
	if !ok {
		return b.staleButton(ctx, r)
	}
	text, err := b.d.Offers.Query(ctx, id)
	if err != nil {
		return b.offerError(ctx, r, err)
	}
	if err := b.d.Offers.RecordRequest(ctx, text, r.L.Lang); err != nil {
		return nil, err
	}
	return []Reply{{Text: r.L.T("offers_tell_thanks", "Query", text), Buttons: categoryKeyboard(r.L, true), Edit: true}}, nil
}

// didYouMean searches the suggested category keyword.
func (b *Bot) didYouMean(ctx context.Context, r *Request, cat, lang, idx string) ([]Reply, error) {
	i, err := strconv.Atoi(idx)
	kws := search.Default().CategoryKeywords[cat][lang]
	if err != nil || i < 0 || i >= len(kws) || strconv.Itoa(i) != idx {
		return b.staleButton(ctx, r)
	}
	return b.search(ctx, r, kws[i], true)
}
