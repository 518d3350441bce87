package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/offer"
)

// filterRows are the toggles above a list: held in my language, free of
// charge, target group, district.
func filterRows(l *locale.Localizer, f offer.Filters, ref listRef) Keyboard {
	check := func(on bool, id string) string {
		if on {
			return "✅ " + l.T(id)
		}
		return "◻️ " + l.T(id)
	}
	onOff := func(on bool) string {
		if on {
			return "0"
		}
		return "1"
	}
	tg := l.T("offers_filter_target")
	if f.TargetGroup != "" {
		tg = "✅ " + l.T("offers_tg_"+f.TargetGroup)
	}
	dist := l.T("offers_filter_district")
	if f.District != "" {
		dist = "✅ " + f.District
	}
	r := ref.String()
	return Keyboard{
		Row(l,
			Button{Text: check(f.MyLanguage, "offers_filter_mylang"), Data: "of:f:lang:" + onOff(f.MyLanguage) + ":" + r},
			Button{Text: check(f.FreeOnly, "offers_filter_free"), Data: "of:f:free:" + onOff(f.FreeOnly) + ":" + r}),
		Row(l,
			Button{Text: tg, Data: "of:f:tg:?:" + r},
			Button{Text: dist, Data: "of:f:dist:?:" + r}),
	}
}

// filterSummary names the active filters above the results.
func filterSummary(l *locale.Localizer, f offer.Filters) string {
	var on []string
	if f.MyLanguage {
		on = append(on, l.T("offers_filter_mylang"))
	}
	if f.FreeOnly {
		on = append(on, l.T("offers_filter_free"))
	}
	if f.TargetGroup != "" {
		on = append(on, l.T("offers_tg_"+f.TargetGroup))
	}
	if f.District != "" {
		on = append(on, l.Isolate(f.District))
	}
	if len(on) == 0 {
		return ""
	}
	return l.T("offers_filters_on", "Filters", locale.HTML(strings.Join(on, ", ")))
}

// filterButton changes a filter and shows the list again, or shows the
// picker of target groups or districts ("?").
func (b *Bot) filterButton(ctx context.Context, r *Request, what, value, refArg string) ([]Reply, error) {
	ref, ok := parseListRef(refArg)
	if !ok {
		return b.staleButton(ctx, r)
	}
	f := r.Filters
	l := r.L
	switch {
	case what == "lang" && (value == "0" || value == "1"):
		f.MyLanguage = value == "1"
	case what == "free" && (value == "0" || value == "1"):
		f.FreeOnly = value == "1"
	case what == "reset" && value == "-":
		f.MyLanguage, f.FreeOnly, f.TargetGroup, f.District = false, false, "", ""
	case what == "tg" && value == "?":
		kb := Keyboard{}
		var row []Button
		for _, g := range offer.TargetGroups {
			row = append(row, Button{Text: l.T("offers_tg_" + g), Data: "of:f:tg:" + g + ":" + ref.String()})
			if len(row) == 2 {
				kb, row = append(kb, Row(l, row...)), nil
			}
		}
		if len(row) > 0 {
			kb = append(kb, Row(l, row...))
		}
		kb = append(kb, Row(l, Button{Text: l.T("offers_filter_any"), Data: "of:f:tg:-:" + ref.String()}, Button{Text: l.T("offers_btn_back_list"), Data: "of:l:" + ref.String()}))
		return []Reply{{Text: l.T("offers_pick_target"), Buttons: kb, Edit: true}}, nil
	case what == "tg" && value == "-":
		f.TargetGroup = ""
	case what == "tg" && offer.IsTargetGroup(value):
		f.TargetGroup = value
	case what == "dist" && value == "?":
		districts, err := b.d.Offers.Districts(ctx)
		if err != nil {
			return nil, err
		}
		kb := Keyboard{}
		var row []Button
		for _, d := range districts {
			idx := indexOf(offer.Districts, d)
			row = append(row, Button{Text: d, Data: "of:f:dist:" + strconv.Itoa(idx) + ":" + ref.String()})
			if len(row) == 2 {
				kb, row = append(kb, Row(l, row...)), nil
			}
		}
		if len(row) > 0 {
			kb = append(kb, Row(l, row...))
		}
		kb = append(kb, Row(l, Button{Text: l.T("offers_filter_any"), Data: "of:f:dist:-:" + ref.String()}, Button{Text: l.T("offers_btn_back_list"), Data: "of:l:" + ref.String()}))
		return []Reply{{Text: l.T("offers_pick_district"), Buttons: kb, Edit: true}}, nil
	case what == "dist" && value == "-":
		f.District = ""
	case what == "dist":
		i, err := strconv.Atoi(value)
		if err != nil || i < 0 || i >= len(offer.Districts) || strconv.Itoa(i) != value {
			return b.staleButton(ctx, r)
		}
		f.District = offer.Districts[i]
	default:
		return b.staleButton(ctx, r)
	}
	if err := b.d.Offers.SaveFilters(ctx, r.User.ID, f); err != nil {
		return nil, err
	}
	r.Filters = f
	rep, err := b.listReply(ctx, r, ref.withPage(0))
	if err != nil {
		return b.offerError(ctx, r, err)
	}
	rep.Edit = true
	return []Reply{rep}, nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
