package bot

// The offer directory ("Angebotsplaner"): /offers and the main menu's
// offers button show the categories; a category, a search (any free text
// outside a flow, search.go) or a shared location (offers_near.go) give a
// paged list with filter toggles (offers_filters.go); a list item opens the
// offer card (offers_card.go).
//
// Buttons are "of:<action>:…", all state in the data (≤ 64 bytes):
//
//	of:cats                      categories
//	of:near                      ask for the location
//	of:l:<ref>                   a list page; ref is c.<category>.<page>,
//	                             s.<query id>.<page> or n.-.<page>
//	of:o:<offer>:<ref>[:<lang>]  an offer card (ref "-": no list to go back to)
//	of:map:<offer>               the venue as a map pin
//	of:sh:<offer>                the share link
//	of:rep:<offer>, of:repy:<offer>, of:repn:<offer>   report outdated information
//	of:fb:<query id>:<1|0>       helpful / not helpful
//	of:f:<lang|free|tg|dist|reset>:<value>:<ref>       filters
//	of:dym:<category>:<lang>:<i> "did you mean" a category keyword
//
// Deep link: t.me/<bot>?start=o_<offer id> opens the card.

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/search"
)

const (
	offerPageSize = 5
	// locationMaxAge is how long a shared location ranks results by distance.
	locationMaxAge = 6 * time.Hour
)

// offerRoutes registers the offer directory in the routing table.
func (b *Bot) offerRoutes() {
	if b.d.Offers == nil {
		return
	}
	b.commands["offers"] = b.offersCommand
	b.callbacks["of"] = b.offersButton
	b.deepLinks["o"] = b.offerDeepLink
}

// tz is the city's time zone for opening hours.
func (b *Bot) tz() *time.Location {
	if b.d.TimeZone != nil {
		return b.d.TimeZone
	}
	if loc, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return loc
	}
	return time.UTC
}

// offersCommand shows the categories.
func (b *Bot) offersCommand(_ context.Context, r *Request) ([]Reply, error) {
	return []Reply{b.categoriesReply(r.L, false)}, nil
}

func (b *Bot) categoriesReply(l *locale.Localizer, edit bool) Reply {
	return Reply{Text: l.T("offers_categories"), Buttons: categoryKeyboard(l, true), Edit: edit}
}

// categoryKeyboard lists the categories two a row, then "near me" and back.
func categoryKeyboard(l *locale.Localizer, withMenu bool) Keyboard {
	var kb Keyboard
	for i := 0; i < len(offer.Categories); i += 2 {
		var row []Button
		for _, c := range offer.Categories[i:min(i+2, len(offer.Categories))] {
			row = append(row, Button{Text: c.Emoji + " " + l.T("offers_cat_"+c.ID), Data: "of:l:c." + c.ID + ".0"})
		}
		kb = append(kb, Row(l, row...))
	}
	kb = append(kb, Row(l, Button{Text: l.T("offers_near_button"), Data: "of:near"}))
	if withMenu {
		kb = append(kb, backButton(l))
	}
	return kb
}

// offersButton dispatches the "of:" buttons.
func (b *Bot) offersButton(ctx context.Context, r *Request) ([]Reply, error) {
	a := r.Args
	if len(a) == 0 {
		return b.staleButton(ctx, r)
	}
	switch {
	case a[0] == "cats" && len(a) == 1:
		return []Reply{b.categoriesReply(r.L, true)}, nil
	case a[0] == "near" && len(a) == 1:
		return []Reply{b.askLocation(r.L)}, nil
	case a[0] == "l" && len(a) == 2:
		ref, ok := parseListRef(a[1])
		if !ok {
			return b.staleButton(ctx, r)
		}
		rep, err := b.listReply(ctx, r, ref)
		if err != nil {
			return b.offerError(ctx, r, err)
		}
		rep.Edit = true
		return []Reply{rep}, nil
	case a[0] == "o" && (len(a) == 3 || len(a) == 4):
		id, ok := parseID(a[1])
		ref, refOK := parseListRef(a[2])
		if !ok || (!refOK && a[2] != "-") {
			return b.staleButton(ctx, r)
		}
		force := ""
		if len(a) == 4 {
			if !locale.IsSupported(a[3]) {
				return b.staleButton(ctx, r)
			}
			force = a[3]
		}
		back := ""
		if refOK {
			back = ref.String()
		}
		rep, err := b.cardReply(ctx, r, id, back, force)
		if err != nil {
			return b.offerError(ctx, r, err)
		}
		rep.Edit = true
		return []Reply{rep}, nil
	case a[0] == "map" && len(a) == 2:
		return b.offerVenue(ctx, r, a[1])
	case a[0] == "sh" && len(a) == 2:
		return b.offerShare(ctx, r, a[1])
	case (a[0] == "rep" || a[0] == "repy" || a[0] == "repn") && len(a) == 2:
		return b.offerReport(ctx, r, a[0], a[1])
	case a[0] == "fb" && len(a) == 3:
		return b.searchFeedback(ctx, r, a[1], a[2])
	case a[0] == "f" && len(a) == 4:
		return b.filterButton(ctx, r, a[1], a[2], a[3])
	case a[0] == "tell" && len(a) == 2:
		return b.tellOffice(ctx, r, a[1])
	case a[0] == "dym" && len(a) == 4:
		return b.didYouMean(ctx, r, a[1], a[2], a[3])
	}
	return b.staleButton(ctx, r)
}

// offerError turns a deleted offer or query into a localized refusal.
func (b *Bot) offerError(ctx context.Context, r *Request, err error) ([]Reply, error) {
	if errors.Is(err, offer.ErrNotFound) {
		if r.Callback != nil {
			// A deleted offer or a forged id: refused, logged (auth.go).
			b.securityEvent(r, "stale_offer", "data_len", len(r.Data))
			return []Reply{{Toast: r.L.T("offers_gone")}}, nil
		}
		return []Reply{{Text: r.L.T("offers_gone"), Buttons: categoryKeyboard(r.L, true)}}, nil
	}
	return nil, err
}

func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0 && strconv.FormatInt(id, 10) == s
}

// listRef names a list page: a category, a saved search or "near me".
type listRef struct {
	kind string // "c", "s", "n"
	arg  string // category id, query id, "-"
	page int
	// text is the search text of query arg when the caller already has
	// it (it is not part of the button data).
	text string
}

func (l listRef) String() string { return l.kind + "." + l.arg + "." + strconv.Itoa(l.page) }

func (l listRef) withPage(p int) listRef { l.page = p; return l }

func parseListRef(s string) (listRef, bool) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return listRef{}, false
	}
	page, err := strconv.Atoi(parts[2])
	if err != nil || page < 0 || page > 100 || strconv.Itoa(page) != parts[2] {
		return listRef{}, false
	}
	ref := listRef{kind: parts[0], arg: parts[1], page: page}
	switch ref.kind {
	case "c":
		_, ok := offer.CategoryByID(ref.arg)
		return ref, ok
	case "s":
		_, ok := parseID(ref.arg)
		return ref, ok
	case "n":
		return ref, ref.arg == "-"
	}
	return listRef{}, false
}

// listReply renders one page of a list with the filter toggles.
func (b *Bot) listReply(ctx context.Context, r *Request, ref listRef) (Reply, error) {
	rep, _, err := b.listPage(ctx, r, ref)
	return rep, err
}

// listPage is listReply with the page it shows (nil when it asks for the
// location instead).
func (b *Bot) listPage(ctx context.Context, r *Request, ref listRef) (Reply, *offer.Page, error) {
	l := r.L
	f := r.Filters
	now := b.d.Now()
	q := offer.ListQuery{Filters: f, Lang: l.Lang, Today: now.In(b.tz()), Offset: ref.page * offerPageSize, Limit: offerPageSize}
	if f.Located(now, locationMaxAge) {
		q.Near = &offer.Point{Lat: f.Lat, Lon: f.Lon}
	}
	var header string
	switch ref.kind {
	case "c":
		q.Category = ref.arg
	case "s":
		q.Text = ref.text
		if q.Text == "" {
			id, _ := parseID(ref.arg)
			var err error
			if q.Text, err = b.d.Offers.Query(ctx, id); err != nil {
				return Reply{}, nil, err
			}
		}
	case "n":
		if q.Near == nil {
			return b.askLocation(l), nil, nil
		}
		q.OnlyNear = true
	}
	page, err := b.d.Offers.List(ctx, q)
	if err != nil {
		return Reply{}, nil, err
	}
	switch ref.kind {
	case "c":
		c, _ := offer.CategoryByID(ref.arg)
		header = l.N("offers_list_category", page.Total, "Category", c.Emoji+" "+l.T("offers_cat_"+c.ID))
	case "s":
		header = l.N("offers_list_search", page.Total, "Query", q.Text)
	case "n":
		header = l.N("offers_list_near", page.Total)
	}
	var sb strings.Builder
	sb.WriteString(header)
	if len(page.Corrections) > 0 {
		var fixes []string
		for _, w := range search.SplitWords(q.Text) {
			if fix, ok := page.Corrections[w]; ok {
				fixes = append(fixes, fix)
			}
		}
		if len(fixes) > 0 {
			sb.WriteString("\n" + l.T("offers_corrected", "Words", strings.Join(fixes, ", ")))
		}
	}
	if fl := filterSummary(l, f); fl != "" {
		sb.WriteString("\n" + fl)
	}
	pages := (page.Total + offerPageSize - 1) / offerPageSize
	if len(page.Hits) == 0 {
		sb.WriteString("\n\n" + l.T("offers_list_empty"))
	}
	for i, h := range page.Hits {
		sb.WriteString("\n\n")
		sb.WriteString(b.listItem(l, ref.page*offerPageSize+i+1, h, now))
	}
	if pages > 1 {
		sb.WriteString("\n\n" + l.T("offers_page", "Page", ref.page+1, "Pages", pages))
	}
	kb := filterRows(l, f, ref)
	for i, h := range page.Hits {
		t, _ := h.Offer.Text(l.Lang)
		label := fmt.Sprintf("%d. %s", ref.page*offerPageSize+i+1, truncate(t.Title, 48))
		kb = append(kb, []Button{{Text: label, Data: fmt.Sprintf("of:o:%d:%s", h.Offer.ID, ref)}})
	}
	var pager []Button
	if ref.page > 0 {
		pager = append(pager, Button{Text: l.T("offers_prev"), Data: "of:l:" + ref.withPage(ref.page-1).String()})
	}
	if ref.page+1 < pages {
		pager = append(pager, Button{Text: l.T("offers_next"), Data: "of:l:" + ref.withPage(ref.page+1).String()})
	}
	if len(pager) > 0 {
		kb = append(kb, Row(l, pager...))
	}
	if ref.kind == "s" && len(page.Hits) > 0 {
		kb = append(kb, Row(l,
			Button{Text: l.T("offers_helpful"), Data: "of:fb:" + ref.arg + ":1"},
			Button{Text: l.T("offers_not_helpful"), Data: "of:fb:" + ref.arg + ":0"}))
	}
	kb = append(kb, Row(l, Button{Text: l.T("offers_categories_button"), Data: "of:cats"}, Button{Text: l.T("button_back"), Data: "menu:main"}))
	return Reply{Text: sb.String(), Buttons: kb}, page, nil
}

// listItem is one entry of a list: title, organisation, where, distance, open.
func (b *Bot) listItem(l *locale.Localizer, n int, h offer.Hit, now time.Time) string {
	o := h.Offer
	t, _ := o.Text(l.Lang)
	line := fmt.Sprintf("%d. <b>%s</b>", n, l.Isolate(html.EscapeString(t.Title)))
	var meta []string
	meta = append(meta, l.Isolate(html.EscapeString(o.Organisation.Name)))
	switch o.Venue.Kind {
	case offer.VenueOnline:
		meta = append(meta, l.T("offers_online"))
	case offer.VenuePhone:
		meta = append(meta, l.T("offers_by_phone"))
	default:
		if o.Venue.District != "" {
			meta = append(meta, l.Isolate(html.EscapeString(o.Venue.District)))
		}
	}
	if h.DistanceM >= 0 {
		meta = append(meta, "📍 "+l.Isolate(formatDistance(l.Lang, h.DistanceM)))
	}
	if st := o.Hours.State(now, b.tz()); st.Open {
		meta = append(meta, l.T("offers_open_now"))
	}
	if o.Cost == offer.CostFree {
		meta = append(meta, l.T("offers_free_short"))
	}
	return line + "\n" + strings.Join(meta, " · ")
}

// offerDeepLink opens the card of t.me/<bot>?start=o_<id>.
func (b *Bot) offerDeepLink(ctx context.Context, r *Request) ([]Reply, error) {
	_, value, _ := strings.Cut(r.Command.Args, "_")
	id, ok := parseID(value)
	if !ok {
		return []Reply{{Text: r.L.T("offers_gone"), Buttons: categoryKeyboard(r.L, true)}}, nil
	}
	rep, err := b.cardReply(ctx, r, id, "", "")
	if err != nil {
		return b.offerError(ctx, r, err)
	}
	return []Reply{rep}, nil
}

// askLocation asks for the location with a reply keyboard button.
func (b *Bot) askLocation(l *locale.Localizer) Reply {
	return Reply{Text: l.T("offers_near_prompt"), ReplyKeyboard: [][]KeyButton{
		{{Text: l.T("offers_near_send"), RequestLocation: true}},
	}}
}

// formatDistance is "350 m" or "1,2 km" with the language's decimal sign.
func formatDistance(lang string, m float64) string {
	if m < 1000 {
		return fmt.Sprintf("%d m", int(m/10+0.5)*10)
	}
	s := fmt.Sprintf("%.1f km", m/1000)
	switch lang {
	case "de", "uk", "ru", "tr", "ku", "ro", "vi":
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
