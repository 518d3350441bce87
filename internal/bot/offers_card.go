package bot

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/offer"
)

// cardReply renders an offer card: in the reader's language, else German,
// else English (force picks one), saying so when it is not theirs.
func (b *Bot) cardReply(ctx context.Context, r *Request, id int64, back, force string) (Reply, error) {
	o, err := b.d.Offers.Get(ctx, id)
	if err != nil {
		return Reply{}, err
	}
	now := b.d.Now().In(b.tz())
	if !o.Current(now) {
		return Reply{}, offer.ErrNotFound
	}
	l := r.L
	want := l.Lang
	if force != "" {
		want = force
	}
	t, in := o.Text(want)
	var sb strings.Builder
	c, _ := offer.CategoryByID(o.Category)
	fmt.Fprintf(&sb, "%s <b>%s</b>\n", c.Emoji, l.Isolate(html.EscapeString(t.Title)))
	sb.WriteString(l.T("offers_card_org", "Org", o.Organisation.Name))
	if in != l.Lang {
		sb.WriteString("\n\n" + l.T("offers_fallback", "Language", l.T("offers_lang_"+in)))
	}
	if t.Status == offer.StatusMachine {
		sb.WriteString("\n" + l.T("offers_machine"))
	}
	if t.Description != "" {
		sb.WriteString("\n\n" + l.Isolate(html.EscapeString(t.Description)))
	}
	sb.WriteString("\n")
	// When
	st := o.Hours.State(now, b.tz())
	switch {
	case st.Open:
		sb.WriteString("\n" + l.T("offers_open_until", "Time", offer.Clock(minuteOfDay(st.Until))))
	case !st.NextOpen.IsZero():
		sb.WriteString("\n" + l.T("offers_next_open", "Day", dayName(l, now, st.NextOpen), "Time", offer.Clock(minuteOfDay(st.NextOpen))))
	}
	if o.ByAppointment {
		sb.WriteString("\n" + l.T("offers_by_appointment"))
	}
	if len(o.Hours) > 0 {
		sb.WriteString("\n" + l.T("offers_hours") + "\n" + hoursLines(l, o.Hours))
	}
	if note := offer.Pick(o.HoursNote, l.Lang); note != "" {
		sb.WriteString("\n" + l.Isolate(html.EscapeString(note)))
	}
	// Where
	switch o.Venue.Kind {
	case offer.VenueOnline:
		sb.WriteString("\n\n" + l.T("offers_where_online"))
	case offer.VenuePhone:
		sb.WriteString("\n\n" + l.T("offers_where_phone"))
	default:
		addr := o.Venue.Street
		if o.Venue.Postcode != "" {
			addr += ", " + o.Venue.Postcode
		}
		sb.WriteString("\n\n" + l.T("offers_where", "Place", o.Venue.Name, "Address", addr))
		if o.Venue.District != "" {
			sb.WriteString("\n" + l.T("offers_district", "District", o.Venue.District))
		}
		if w := o.Venue.Wheelchair; w != nil {
			if *w {
				sb.WriteString("\n" + l.T("offers_wheelchair_yes"))
			} else {
				sb.WriteString("\n" + l.T("offers_wheelchair_no"))
			}
		}
	}
	// Languages, cost, target groups
	if len(o.Languages) > 0 {
		names := make([]string, len(o.Languages))
		for i, code := range o.Languages {
			names[i] = l.T("offers_lang_" + code)
		}
		sb.WriteString("\n\n" + l.T("offers_languages", "Languages", strings.Join(names, listSep(l))))
	}
	cost := l.T("offers_cost_" + o.Cost)
	if note := offer.Pick(o.CostNote, l.Lang); note != "" {
		cost += " (" + l.Isolate(html.EscapeString(note)) + ")"
	}
	sb.WriteString("\n" + cost)
	if len(o.TargetGroups) > 0 {
		names := make([]string, len(o.TargetGroups))
		for i, g := range o.TargetGroups {
			names[i] = l.T("offers_tg_" + g)
		}
		sb.WriteString("\n" + l.T("offers_target", "Groups", strings.Join(names, listSep(l))))
	}
	// Contact
	if o.Contact.Person != "" {
		sb.WriteString("\n\n" + l.T("offers_contact_person", "Person", o.Contact.Person))
	} else {
		sb.WriteString("\n")
	}
	if o.Contact.Phone != "" {
		sb.WriteString("\n" + l.T("offers_contact_phone", "Phone", o.Contact.Phone))
	}
	if o.Contact.Email != "" {
		sb.WriteString("\n" + l.T("offers_contact_email", "Email", o.Contact.Email))
	}

	var kb Keyboard
	var row []Button
	if o.Venue.Kind == offer.VenuePlace && o.Venue.HasCoords {
		row = append(row, Button{Text: l.T("offers_btn_map"), Data: fmt.Sprintf("of:map:%d", o.ID)})
	}
	row = append(row, Button{Text: l.T("offers_btn_share"), Data: fmt.Sprintf("of:sh:%d", o.ID)})
	kb = append(kb, Row(l, row...))
	var links []Button
	if o.Contact.Website != "" {
		links = append(links, Button{Text: l.T("offers_btn_website"), URL: o.Contact.Website})
	}
	if o.Contact.Booking != "" {
		links = append(links, Button{Text: l.T("offers_btn_booking"), URL: o.Contact.Booking})
	}
	if len(links) > 0 {
		kb = append(kb, Row(l, links...))
	}
	if in != l.Lang {
		// Offer the other fallback language, if the offer has it.
		ref := back
		if ref == "" {
			ref = "-"
		}
		for _, alt := range []string{"de", "en"} {
			if _, ok := o.Texts[alt]; ok && alt != in {
				kb = append(kb, []Button{{Text: l.T("offers_btn_show_in", "Language", l.T("offers_lang_"+alt)), Data: fmt.Sprintf("of:o:%d:%s:%s", o.ID, ref, alt)}})
				break
			}
		}
	}
	kb = append(kb, []Button{{Text: l.T("offers_btn_report"), Data: fmt.Sprintf("of:rep:%d", o.ID)}})
	if back != "" {
		kb = append(kb, Row(l, Button{Text: l.T("offers_btn_back_list"), Data: "of:l:" + back}))
	} else {
		kb = append(kb, Row(l, Button{Text: l.T("offers_categories_button"), Data: "of:cats"}))
	}
	return Reply{Text: sb.String(), Buttons: kb}, nil
}

func minuteOfDay(t time.Time) int {
	m := t.Hour()*60 + t.Minute()
	if m == 0 && t.Second() == 0 {
		return 24 * 60 // closes at midnight
	}
	return m
}

// dayName is "today", "tomorrow" or the weekday of at.
func dayName(l *locale.Localizer, now, at time.Time) string {
	y1, m1, d1 := now.Date()
	y2, m2, d2 := at.Date()
	today := time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)
	day := time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC)
	switch int(day.Sub(today).Hours() / 24) {
	case 0:
		return l.T("offers_today")
	case 1:
		return l.T("offers_tomorrow")
	}
	wd := int(at.Weekday())
	if wd == 0 {
		wd = 7
	}
	return l.T(fmt.Sprintf("offers_wd_%d", wd))
}

// hoursLines lists the weekly hours, one line a day.
func hoursLines(l *locale.Localizer, h offer.Hours) string {
	var lines []string
	for d := 1; d <= 7; d++ {
		rs := h.Day(d)
		if len(rs) == 0 {
			continue
		}
		var parts []string
		for _, r := range rs {
			parts = append(parts, offer.Clock(r.Open)+"–"+offer.Clock(r.Close))
		}
		lines = append(lines, l.T(fmt.Sprintf("offers_wd_%d", d))+" "+l.Isolate(strings.Join(parts, ", ")))
	}
	return strings.Join(lines, "\n")
}

// offerVenue sends the venue as a native map pin.
func (b *Bot) offerVenue(ctx context.Context, r *Request, idArg string) ([]Reply, error) {
	id, ok := parseID(idArg)
	if !ok {
		return b.staleButton(ctx, r)
	}
	o, err := b.d.Offers.Get(ctx, id)
	if err != nil {
		return b.offerError(ctx, r, err)
	}
	if !o.Current(b.d.Now().In(b.tz())) {
		return []Reply{{Toast: r.L.T("offers_gone")}}, nil
	}
	if o.Venue.Kind != offer.VenuePlace || !o.Venue.HasCoords {
		return []Reply{{Toast: r.L.T("offers_no_map")}}, nil
	}
	t, _ := o.Text(r.L.Lang)
	title := o.Venue.Name
	if title == "" {
		title = t.Title
	}
	addr := strings.TrimSpace(o.Venue.Street + ", " + o.Venue.Postcode + " " + o.Venue.District)
	return []Reply{{Venue: &Venue{Latitude: o.Venue.Lat, Longitude: o.Venue.Lon, Title: truncate(title, 100), Address: truncate(addr, 100)}}}, nil
}

// offerShare gives the deep link that opens the card.
func (b *Bot) offerShare(ctx context.Context, r *Request, idArg string) ([]Reply, error) {
	id, ok := parseID(idArg)
	if !ok {
		return b.staleButton(ctx, r)
	}
	o, err := b.d.Offers.Get(ctx, id)
	if err != nil {
		return b.offerError(ctx, r, err)
	}
	t, _ := o.Text(r.L.Lang)
	link := fmt.Sprintf("https://t.me/%s?start=o_%d", b.d.BotUsername, o.ID)
	return []Reply{Text(r.L.T("offers_share", "Title", t.Title, "Link", link))}, nil
}

// offerReport asks to confirm a report of outdated information, then
// records it and queues a notice to the coordinators.
func (b *Bot) offerReport(ctx context.Context, r *Request, action, idArg string) ([]Reply, error) {
	id, ok := parseID(idArg)
	if !ok {
		return b.staleButton(ctx, r)
	}
	o, err := b.d.Offers.Get(ctx, id)
	if err != nil {
		return b.offerError(ctx, r, err)
	}
	l := r.L
	t, _ := o.Text(l.Lang)
	switch action {
	case "rep":
		return []Reply{{Text: l.T("offers_report_confirm", "Title", t.Title), Buttons: Keyboard{Row(l,
			Button{Text: l.T("offers_report_yes"), Data: fmt.Sprintf("of:repy:%d", o.ID)},
			Button{Text: l.T("offers_report_no"), Data: fmt.Sprintf("of:repn:%d", o.ID)})}}}, nil
	case "repn":
		return []Reply{{Text: l.T("offers_report_cancelled"), Edit: true}}, nil
	}
	now := b.d.Now()
	first, err := b.d.Offers.ReportOutdated(ctx, o.ID, r.User.ID, now)
	if err != nil {
		return b.offerError(ctx, r, err)
	}
	if !first {
		return []Reply{{Text: l.T("offers_report_already"), Edit: true}}, nil
	}
	if b.d.Notifications != nil {
		coords, err := b.d.Offers.Coordinators(ctx, o.Organisation.ID)
		if err != nil {
			return nil, err
		}
		de, _ := o.Text("de")
		contact := strings.TrimSpace(strings.Join(nonEmpty(o.Organisation.Email, o.Organisation.Phone, o.Contact.Email, o.Contact.Phone), ", "))
		for _, c := range coords {
			if err := b.d.Notifications.Schedule(ctx, notify.Notification{
				Kind: KindMessage, UserID: c.UserID,
				// No reporter id in the key: it would outlive their /deletemydata.
				Key: fmt.Sprintf("offer:%d:outdated:%d:to:%d", o.ID, now.UnixNano(), c.UserID),
				Data: map[string]string{
					"id": "offers_report_notice", "Title": de.Title, "ID": o.ExternalID,
					"Org": o.Organisation.Name, "Contact": contact,
				},
				DueAt: now,
			}); err != nil {
				return nil, err
			}
		}
		b.kick()
	}
	b.log.Info("offer reported as outdated", "offer", o.ExternalID)
	return []Reply{{Text: l.T("offers_report_thanks"), Edit: true}}, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// searchFeedback records "helpful / not helpful" under results.
func (b *Bot) searchFeedback(ctx context.Context, r *Request, qidArg, v string) ([]Reply, error) {
	qid, ok := parseID(qidArg)
	if !ok || (v != "1" && v != "0") {
		return b.staleButton(ctx, r)
	}
	if err := b.d.Offers.RecordFeedback(ctx, qid, r.L.Lang, v == "1"); err != nil {
		if errors.Is(err, offer.ErrNotFound) {
			return b.staleButton(ctx, r)
		}
		return nil, err
	}
	return []Reply{{Toast: r.L.T("offers_feedback_thanks")}}, nil
}

// listSep separates list items: the Arabic comma in right-to-left languages.
func listSep(l *locale.Localizer) string {
	if locale.IsRTL(l.Lang) {
		return "، "
	}
	return ", "
}
