package bot

// Consultation booking, the client's side: /book (and the main menu's
// button, the deep link b_<service>, an offer card's "book" button) →
// service → language (only when the service is not held in the user's) →
// day → time → optional topic → summary → confirm. mybookings.go has
// cancel and reschedule, waitlist.go the waitlist, agenda.go the
// counsellors' side.
//
// Every button carries what it needs (service, language, counsellor,
// start); the server checks all of it again (booking.Booker.Check): a
// slot of another service, in the past, or off the grid is refused
// without change, a slot taken meanwhile gives "just taken" and the next
// free ones. The database refuses double bookings on its own.

import (
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/calendar"
	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/locale"
)

// Flows of booking.
const (
	flowBooking = "booking" // step "topic": waiting for the optional topic
	flowAgenda  = "agenda"  // step "block": waiting for "14:00-16:00"
)

// bookingRoutes adds booking's commands, buttons, flows, deep links,
// renderers and the hold sweeper; routes.go calls it. Without a booking
// store (Deps.Bookings) there is no booking.
func (b *Bot) bookingRoutes() {
	if b.d.Bookings == nil {
		return
	}
	b.commands["book"] = b.bookCommand             // booking.go
	b.commands["mybookings"] = b.myBookingsCommand // mybookings.go
	b.commands["agenda"] = b.agendaCommand         // agenda.go (counsellors)
	b.callbacks["bk"] = b.bookButton               // bk:go|oth|s:<svc>|l:<svc>:<lang>|w:<svc>:<lang>:<page>|d:<svc>:<lang>:<yyyymmdd>|t:<svc>:<lang>:<c>:<unix>|skip|ok:<svc>:<lang>:<c>:<unix>|x
	b.callbacks["rs"] = b.rescheduleButton         // mybookings.go: rs:w:<b>:<page>|d:<b>:<yyyymmdd>|t:<b>:<c>:<unix>|ok:<b>:<c>:<unix>
	b.callbacks["mb"] = b.myBookingsButton         // mybookings.go: mb:list|x:<b>|xy:<b>|xn:<b>|rs:<b>|here:<b>
	b.callbacks["wl"] = b.waitlistButton           // waitlist.go: wl:j:<svc>:<lang>|jr:<svc>:<lang>:<days>|take:<b>|no:<b>|leave:<w>
	b.callbacks["ag"] = b.agendaButton             // agenda.go: ag:v:<0|1|7>|day:<yyyymmdd>|ok:<b>|ns:<b>|bl|bd:<yyyymmdd>|bw:<yyyymmdd>|wl
	b.flows[flowBooking] = b.bookingText
	b.flows[flowAgenda] = b.agendaText
	b.deepLinks["c"] = b.counsellorInvite                        // agenda.go: ?start=c_<token>
	b.deepLinks["b"] = b.bookDeepLink                            // ?start=b_<service id>
	b.renderers[booking.KindReminder] = b.renderBookingReminder  // mybookings.go
	b.renderers[booking.KindNotice] = b.renderCounsellorNotice   // agenda.go
	b.renderers[booking.KindOffer] = b.renderWaitlistOffer       // waitlist.go
	b.renderers[booking.KindOfferExpired] = b.renderOfferExpired // waitlist.go
	b.sweepers = append(b.sweepers, func(ctx context.Context, now time.Time) (int, error) {
		return b.d.Bookings.ExpireHolds(ctx, now) // each queues a notice and maybe the next offer
	})
}

func (b *Bot) bookingPolicy() booking.Policy { return b.d.BookingPolicy.WithDefaults() }

func (b *Bot) booker() *booking.Booker {
	return &booking.Booker{Store: b.d.Bookings, Policy: b.bookingPolicy(), Now: b.d.Now}
}

func (b *Bot) local(t time.Time) time.Time { return t.In(b.bookingPolicy().Location) }

// BookButton is the "book" button for an offer card of the offer
// directory, if a service is linked to the offer (by its external id).
func (b *Bot) BookButton(ctx context.Context, l *locale.Localizer, offerExternalID string) (Button, bool) {
	if b.d.Bookings == nil || offerExternalID == "" {
		return Button{}, false
	}
	svc, err := b.d.Bookings.ServiceForOffer(ctx, offerExternalID)
	if err != nil {
		return Button{}, false
	}
	return Button{Text: l.T("book_button_offer"), Data: fmt.Sprintf("bk:s:%d", svc.ID)}, true
}

// ---- shown details ---------------------------------------------------------

// appointment is what the details of an appointment show.
type appointment struct {
	Service    booking.Service
	Start, End time.Time
	Language   string
	Counsellor string
	Topic      string
	Client     string // only for counsellors
}

func appointmentOf(bk booking.Booking) appointment {
	return appointment{Service: bk.Service, Start: bk.Start, End: bk.End, Language: bk.Language, Counsellor: bk.Counsellor.Name, Topic: bk.Topic, Client: bk.ClientName}
}

// bold is an escaped, isolated value in bold, for a line of its own.
func bold(l *locale.Localizer, s string) string {
	return "<b>" + l.Isolate(html.EscapeString(s)) + "</b>"
}

// details are the lines describing an appointment: service, when,
// language, counsellor, where, and (forCounsellor) the client, or the
// topic. Each line is one message with its label, so a right-to-left
// line starts with a right-to-left word.
func (b *Bot) details(l *locale.Localizer, a appointment, forCounsellor bool) string {
	lines := []string{bold(l, a.Service.Name(l.Lang))}
	when := l.DateTime(b.local(a.Start))
	if !a.End.IsZero() {
		when = l.DateTimeRange(b.local(a.Start), b.local(a.End))
	}
	lines = append(lines, l.T("detail_when", "Value", when), l.T("detail_language", "Value", locale.NativeName(a.Language)))
	if forCounsellor {
		name := a.Client
		if strings.TrimSpace(name) == "" {
			name = "—"
		}
		lines = append(lines, l.T("detail_client", "Value", name))
	} else {
		if a.Counsellor != "" {
			lines = append(lines, l.T("detail_counsellor", "Value", a.Counsellor))
		}
		v := a.Service.Venue
		if place := strings.Trim(strings.Join([]string{v.Name, v.Address}, ", "), ", "); place != "" {
			lines = append(lines, l.T("detail_place", "Value", place))
		}
		if a.Service.VideoURL != "" {
			lines = append(lines, l.T("detail_video", "Value", a.Service.VideoURL))
		}
		if a.Service.Phone != "" {
			lines = append(lines, l.T("detail_phone", "Value", a.Service.Phone))
		}
	}
	if a.Topic != "" {
		lines = append(lines, l.T("detail_topic", "Value", a.Topic))
	}
	return strings.Join(lines, "\n")
}

// venue is the service's place as a map pin, nil without coordinates.
func venue(svc booking.Service) *Venue {
	v := svc.Venue
	if !v.HasLocation {
		return nil
	}
	title := v.Name
	if title == "" {
		title = svc.Name("de")
	}
	return &Venue{Latitude: v.Latitude, Longitude: v.Longitude, Title: title, Address: v.Address}
}

// icsDocument is the appointment as an .ics file for the client's calendar.
func (b *Bot) icsDocument(l *locale.Localizer, bk booking.Booking) *Document {
	svc := bk.Service
	var desc []string
	if bk.Counsellor.Name != "" {
		desc = append(desc, bk.Counsellor.Name)
	}
	if bk.Topic != "" {
		desc = append(desc, bk.Topic)
	}
	if svc.Phone != "" {
		desc = append(desc, svc.Phone)
	}
	if svc.VideoURL != "" {
		desc = append(desc, svc.VideoURL)
	}
	loc := strings.Trim(strings.Join([]string{svc.Venue.Name, svc.Venue.Address}, ", "), ", ")
	if loc == "" {
		loc = svc.VideoURL
	}
	data := calendar.ICS(b.bookingPolicy().Location, calendar.Event{
		UID:         fmt.Sprintf("booking-%d@netzbot", bk.ID),
		Summary:     svc.Name(l.Lang),
		Description: strings.Join(desc, "\n"),
		Location:    loc,
		URL:         svc.VideoURL,
		Start:       bk.Start, End: bk.End,
		Created: bk.CreatedAt,
	})
	return &Document{Name: fmt.Sprintf("termin-%d.ics", bk.ID), Data: data, Caption: l.T("book_ics_caption")}
}

// confirmation is what a client gets once an appointment is theirs:
// the text (editing the summary), the place as a map pin and the .ics,
// each a reply of its own (an edited message carries no attachments).
func (b *Bot) confirmation(l *locale.Localizer, titleID string, bk booking.Booking) []Reply {
	out := []Reply{{
		Text: l.T(titleID) + "\n\n" + b.details(l, appointmentOf(bk), false) + "\n\n" + l.T("book_confirmed_footer"),
		Buttons: Keyboard{
			Row(l, Button{Text: l.T("menu_mybookings"), Data: "mb:list"}),
			backButton(l),
		},
	}}
	if v := venue(bk.Service); v != nil {
		out = append(out, Reply{Venue: v})
	}
	return append(out, Reply{Document: b.icsDocument(l, bk)})
}

// ---- choosing a service ----------------------------------------------------

func (b *Bot) bookCommand(ctx context.Context, r *Request) ([]Reply, error) {
	if err := b.clearBookingFlow(ctx, r); err != nil {
		return nil, err
	}
	return b.serviceList(ctx, r, false)
}

func (b *Bot) bookDeepLink(ctx context.Context, r *Request) ([]Reply, error) {
	_, value, _ := parseDeepLink(r.Command.Args)
	id, ok := argID([]string{value}, 0)
	if !ok {
		return b.serviceList(ctx, r, false)
	}
	svc, err := b.d.Bookings.Service(ctx, id)
	if errors.Is(err, booking.ErrNotFound) {
		return b.serviceList(ctx, r, false)
	}
	if err != nil {
		return nil, err
	}
	return b.chooseService(ctx, r, svc)
}

// clearBookingFlow ends a half-done booking (not other flows).
func (b *Bot) clearBookingFlow(ctx context.Context, r *Request) error {
	if r.State.Flow == flowBooking || r.State.Flow == flowAgenda {
		return b.d.Conversations.Clear(ctx, r.User.ID)
	}
	return nil
}

// serviceList offers the services held in the user's language; the
// others come behind a button (others: show those).
func (b *Bot) serviceList(ctx context.Context, r *Request, others bool) ([]Reply, error) {
	l := r.L
	all, err := b.d.Bookings.Services(ctx)
	if err != nil {
		return nil, err
	}
	var mine, rest []booking.Service
	for _, s := range all {
		if s.HeldIn(l.Lang) {
			mine = append(mine, s)
		} else {
			rest = append(rest, s)
		}
	}
	var kb Keyboard
	var text string
	list := func(ss []booking.Service) {
		for _, s := range ss {
			kb = append(kb, Row(l, Button{Text: s.Name(l.Lang), Data: fmt.Sprintf("bk:s:%d", s.ID)}))
		}
	}
	switch {
	case len(all) == 0:
		return []Reply{{Text: l.T("book_no_services"), Buttons: Keyboard{backButton(l)}}}, nil
	case others:
		text = l.T("book_choose_other", "Language", locale.NativeName(l.Lang))
		list(rest)
		kb = append(kb, Row(l, Button{Text: l.T("button_back"), Data: "bk:go"}))
	case len(mine) == 0:
		text = l.T("book_choose_none_in_language", "Language", locale.NativeName(l.Lang))
		list(rest)
		kb = append(kb, backButton(l))
	default:
		text = l.T("book_choose_service")
		list(mine)
		if len(rest) > 0 {
			kb = append(kb, Row(l, Button{Text: l.T("book_button_other"), Data: "bk:oth"}))
		}
		kb = append(kb, backButton(l))
	}
	return []Reply{{Text: text, Buttons: kb}}, nil
}

// chooseService goes on to the language, or straight to the days when
// the service is held in the user's language (or only one).
func (b *Bot) chooseService(ctx context.Context, r *Request, svc booking.Service) ([]Reply, error) {
	l := r.L
	switch {
	case svc.HeldIn(l.Lang):
		return b.days(ctx, r, pick{svc: svc, lang: l.Lang}, 0, true)
	case len(svc.Languages) == 1:
		return b.days(ctx, r, pick{svc: svc, lang: svc.Languages[0]}, 0, true)
	}
	var kb Keyboard
	var row []Button
	for _, lang := range svc.Languages {
		row = append(row, Button{Text: locale.NativeName(lang), Data: fmt.Sprintf("bk:l:%d:%s", svc.ID, lang)})
		if len(row) == 2 {
			kb, row = append(kb, Row(l, row...)), nil
		}
	}
	if len(row) > 0 {
		kb = append(kb, Row(l, row...))
	}
	kb = append(kb, Row(l, Button{Text: l.T("button_back"), Data: "bk:go"}))
	text := l.T("book_choose_language", "Service", svc.Name(l.Lang), "Language", locale.NativeName(l.Lang))
	return []Reply{{Text: text, Buttons: kb}}, nil
}

// ---- choosing a day and a time (also for rescheduling) ---------------------

// pick is what is being chosen for: a new booking of svc in lang, or
// moving the booking old.
type pick struct {
	svc  booking.Service
	lang string
	old  *booking.Booking
}

func (p pick) week(page int) string {
	if p.old != nil {
		return fmt.Sprintf("rs:w:%d:%d", p.old.ID, page)
	}
	return fmt.Sprintf("bk:w:%d:%s:%d", p.svc.ID, p.lang, page)
}

func (p pick) day(d booking.Date) string {
	if p.old != nil {
		return fmt.Sprintf("rs:d:%d:%s", p.old.ID, d.Compact())
	}
	return fmt.Sprintf("bk:d:%d:%s:%s", p.svc.ID, p.lang, d.Compact())
}

func (p pick) time(s booking.Slot) string {
	if p.old != nil {
		return fmt.Sprintf("rs:t:%d:%d:%d", p.old.ID, s.CounsellorID, s.Start.Unix())
	}
	return fmt.Sprintf("bk:t:%d:%s:%d:%d", p.svc.ID, p.lang, s.CounsellorID, s.Start.Unix())
}

func (p pick) confirm(counsellorID int64, start time.Time) string {
	if p.old != nil {
		return fmt.Sprintf("rs:ok:%d:%d:%d", p.old.ID, counsellorID, start.Unix())
	}
	return fmt.Sprintf("bk:ok:%d:%s:%d:%d", p.svc.ID, p.lang, counsellorID, start.Unix())
}

func (p pick) back() Button {
	if p.old != nil {
		return Button{Data: "mb:list"}
	}
	return Button{Data: "bk:go"}
}

// daysPerPage is one week of the calendar keyboard.
const daysPerPage = 7

// days shows a week (page 0 starts today) with the days that have free
// slots; auto jumps to the first week that has any.
func (b *Bot) days(ctx context.Context, r *Request, p pick, page int, auto bool) ([]Reply, error) {
	l := r.L
	k := b.booker()
	free, err := k.FreeAll(ctx, p.svc, p.lang)
	if err != nil {
		return nil, err
	}
	if p.old != nil { // the booking being moved is not a choice
		free = dropStart(free, p.old.Start)
	}
	today := k.Today()
	lastPage := b.bookingPolicy().HorizonDays / daysPerPage
	perDay := map[booking.Date]int{}
	for _, s := range free {
		perDay[booking.DateOf(s.Start, b.bookingPolicy().Location)]++
	}
	name := p.svc.Name(l.Lang)
	back := p.back()
	back.Text = l.T("button_back")
	if len(free) == 0 {
		kb := Keyboard{}
		if p.old == nil {
			kb = append(kb, Row(l, Button{Text: l.T("book_button_waitlist"), Data: fmt.Sprintf("wl:j:%d:%s", p.svc.ID, p.lang)}))
		}
		kb = append(kb, Row(l, back))
		return []Reply{{Text: l.T("book_no_slots", "Service", name, "Language", locale.NativeName(p.lang)), Buttons: kb}}, nil
	}
	if auto {
		first := booking.DateOf(free[0].Start, b.bookingPolicy().Location)
		page = today.DaysUntil(first) / daysPerPage
	}
	page = max(0, min(page, lastPage))
	from := today.AddDays(page * daysPerPage)
	to := from.AddDays(daysPerPage - 1)
	var kb Keyboard
	var row []Button
	for d := from; !d.After(to); d = d.AddDays(1) {
		if perDay[d] == 0 {
			continue
		}
		row = append(row, Button{Text: l.DayMonth(d.Start(b.bookingPolicy().Location)), Data: p.day(d)})
		if len(row) == 2 {
			kb, row = append(kb, Row(l, row...)), nil
		}
	}
	if len(row) > 0 {
		kb = append(kb, Row(l, row...))
	}
	loc := b.bookingPolicy().Location
	text := l.T("book_choose_day", "Service", name, "Language", locale.NativeName(p.lang),
		"From", l.DayMonth(from.Start(loc)), "To", l.DayMonth(to.Start(loc)))
	if p.old != nil {
		text = l.T("mb_reschedule_choose_day", "When", l.DateTime(b.local(p.old.Start)),
			"From", l.DayMonth(from.Start(loc)), "To", l.DayMonth(to.Start(loc)))
	}
	if len(kb) == 0 {
		text += "\n\n" + l.T("book_week_empty")
	}
	var nav []Button
	if page > 0 {
		nav = append(nav, Button{Text: l.T("book_button_earlier"), Data: p.week(page - 1)})
	}
	if page < lastPage {
		nav = append(nav, Button{Text: l.T("book_button_later"), Data: p.week(page + 1)})
	}
	if len(nav) > 0 {
		kb = append(kb, Row(l, nav...))
	}
	if p.old == nil {
		kb = append(kb, Row(l, Button{Text: l.T("book_button_waitlist"), Data: fmt.Sprintf("wl:j:%d:%s", p.svc.ID, p.lang)}))
	}
	kb = append(kb, Row(l, back))
	return []Reply{{Text: text, Buttons: kb}}, nil
}

func dropStart(slots []booking.Slot, start time.Time) []booking.Slot {
	out := slots[:0:0]
	for _, s := range slots {
		if !s.Start.Equal(start) {
			out = append(out, s)
		}
	}
	return out
}

// timesPerRow of the time buttons.
const timesPerRow = 4

// times shows the free start times of one day.
func (b *Bot) times(ctx context.Context, r *Request, p pick, d booking.Date) ([]Reply, error) {
	l := r.L
	k := b.booker()
	first, last := b.bookingPolicy().Window(b.d.Now())
	if d.Before(first) || d.After(last) {
		return b.refusal(r, "book_slot_invalid"), nil
	}
	free, err := k.Free(ctx, p.svc, p.lang, d, d)
	if err != nil {
		return nil, err
	}
	if p.old != nil {
		free = dropStart(free, p.old.Start)
	}
	page := first.DaysUntil(d) / daysPerPage
	loc := b.bookingPolicy().Location
	if len(free) == 0 {
		return []Reply{{Text: l.T("book_day_full", "Date", l.Date(d.Start(loc))), Buttons: Keyboard{
			Row(l, Button{Text: l.T("button_back"), Data: p.week(page)}),
		}}}, nil
	}
	return []Reply{{Text: l.T("book_choose_time", "Service", p.svc.Name(l.Lang), "Date", l.Date(d.Start(loc))), Buttons: b.timeButtons(l, p, free, false, page)}}, nil
}

// timeButtons are the slots as buttons; withDate for slots on several
// days ("just taken" alternatives).
func (b *Bot) timeButtons(l *locale.Localizer, p pick, slots []booking.Slot, withDate bool, page int) Keyboard {
	var kb Keyboard
	var row []Button
	per := timesPerRow
	if withDate {
		per = 1
	}
	for _, s := range slots {
		label := locale.Clock(b.local(s.Start))
		if withDate {
			label = l.DayMonth(b.local(s.Start)) + ", " + label
		}
		row = append(row, Button{Text: label, Data: p.time(s)})
		if len(row) == per {
			kb, row = append(kb, Row(l, row...)), nil
		}
	}
	if len(row) > 0 {
		kb = append(kb, Row(l, row...))
	}
	return append(kb, Row(l, Button{Text: l.T("button_back"), Data: p.week(page)}))
}

// taken is "just taken" with the next free slots.
func (b *Bot) taken(r *Request, p pick, alts []booking.Slot) []Reply {
	l := r.L
	text := l.T("book_just_taken")
	kb := b.timeButtons(l, p, alts, true, 0)
	if len(alts) == 0 {
		text += "\n\n" + l.T("book_just_taken_none")
		if p.old == nil {
			kb = append(Keyboard{Row(l, Button{Text: l.T("book_button_waitlist"), Data: fmt.Sprintf("wl:j:%d:%s", p.svc.ID, p.lang)})}, kb...)
		}
	}
	return []Reply{{Text: text, Buttons: kb, Edit: true}}
}

// ---- the bk: buttons -------------------------------------------------------

func (b *Bot) bookButton(ctx context.Context, r *Request) ([]Reply, error) {
	a := r.Args
	replies, err := b.bookAction(ctx, r, arg(a, 0), a)
	for i := range replies {
		replies[i].Edit = replies[i].Text != "" // menus change in place
	}
	return replies, err
}

func (b *Bot) bookAction(ctx context.Context, r *Request, action string, a []string) ([]Reply, error) {
	switch action {
	case "go":
		if err := b.clearBookingFlow(ctx, r); err != nil {
			return nil, err
		}
		return b.serviceList(ctx, r, false)
	case "oth":
		return b.serviceList(ctx, r, true)
	case "x":
		if err := b.clearBookingFlow(ctx, r); err != nil {
			return nil, err
		}
		return []Reply{b.mainMenu(r.L, "book_aborted")}, nil
	case "skip":
		return b.summaryFromState(ctx, r)
	}
	svc, ok, err := b.serviceArg(ctx, a, 1)
	if err != nil || !ok {
		return b.bookForged(r, err)
	}
	if action == "s" && len(a) == 2 {
		return b.chooseService(ctx, r, svc)
	}
	lang := arg(a, 2)
	if !svc.HeldIn(lang) {
		return b.forged(r, "book_language"), nil
	}
	p := pick{svc: svc, lang: lang}
	switch {
	case action == "l" && len(a) == 3:
		return b.days(ctx, r, p, 0, true)
	case action == "w" && len(a) == 4:
		page, err := strconv.Atoi(arg(a, 3))
		if err != nil || page < 0 || page > 52 {
			return b.forged(r, "book_week"), nil
		}
		return b.days(ctx, r, p, page, false)
	case action == "d" && len(a) == 4:
		d, err := booking.ParseCompactDate(arg(a, 3))
		if err != nil {
			return b.forged(r, "book_day"), nil
		}
		return b.times(ctx, r, p, d)
	case action == "t" && len(a) == 5:
		cid, start, ok := slotArgs(a, 3)
		if !ok {
			return b.forged(r, "book_time"), nil
		}
		return b.chooseTime(ctx, r, p, cid, start)
	case action == "ok" && len(a) == 5:
		cid, start, ok := slotArgs(a, 3)
		if !ok {
			return b.forged(r, "book_confirm"), nil
		}
		return b.confirmBooking(ctx, r, p, cid, start)
	}
	return b.forged(r, "book_"+action), nil
}

// serviceArg reads a service id and loads the service.
func (b *Bot) serviceArg(ctx context.Context, a []string, i int) (booking.Service, bool, error) {
	id, ok := argID(a, i)
	if !ok {
		return booking.Service{}, false, nil
	}
	svc, err := b.d.Bookings.Service(ctx, id)
	if errors.Is(err, booking.ErrNotFound) {
		return svc, false, nil
	}
	return svc, err == nil, err
}

func (b *Bot) bookForged(r *Request, err error) ([]Reply, error) {
	if err != nil {
		return nil, err
	}
	return b.forged(r, "book_service"), nil
}

// slotArgs reads "<counsellor>:<unix start>".
func slotArgs(a []string, i int) (int64, time.Time, bool) {
	cid, ok1 := argID(a, i)
	unix, ok2 := argID(a, i+1)
	if !ok1 || !ok2 || unix > 1<<40 {
		return 0, time.Time{}, false
	}
	return cid, time.Unix(unix, 0), true
}

// slotRefused answers a slot that the checks refused.
func (b *Bot) slotRefused(r *Request, p pick, err error, alts []booking.Slot) ([]Reply, error) {
	switch {
	case errors.Is(err, booking.ErrSlotTaken):
		return b.taken(r, p, alts), nil
	case errors.Is(err, booking.ErrInvalidSlot):
		b.securityEvent(r, "invalid_slot", "data_len", len(r.Data))
		return b.refusal(r, "book_slot_invalid"), nil
	}
	return nil, err
}

// chooseTime checks the slot and asks for the optional topic, or shows
// the summary when the topic was already asked in this booking.
func (b *Bot) chooseTime(ctx context.Context, r *Request, p pick, cid int64, start time.Time) ([]Reply, error) {
	k := b.booker()
	if _, err := k.Check(ctx, p.svc, p.lang, cid, start, 0); err != nil {
		var alts []booking.Slot
		if errors.Is(err, booking.ErrSlotTaken) {
			if alts, err = k.Alternatives(ctx, p.svc, p.lang, start); err != nil {
				return nil, err
			}
			err = booking.ErrSlotTaken
		}
		return b.slotRefused(r, p, err, alts)
	}
	st := r.State
	topicAsked := st.Flow == flowBooking && st.Step == "confirm" && st.Data["svc"] == strconv.FormatInt(p.svc.ID, 10) && st.Data["lang"] == p.lang
	topic := ""
	if topicAsked {
		topic = st.Data["topic"]
	}
	data := map[string]string{
		"svc": strconv.FormatInt(p.svc.ID, 10), "lang": p.lang,
		"c": strconv.FormatInt(cid, 10), "start": strconv.FormatInt(start.Unix(), 10), "topic": topic,
	}
	if topicAsked {
		if err := b.d.Conversations.Set(ctx, r.User.ID, conversation.State{Flow: flowBooking, Step: "confirm", Data: data}); err != nil {
			return nil, err
		}
		return b.summary(ctx, r, p, cid, start, topic)
	}
	if err := b.d.Conversations.Set(ctx, r.User.ID, conversation.State{Flow: flowBooking, Step: "topic", Data: data}); err != nil {
		return nil, err
	}
	l := r.L
	return []Reply{{Text: l.T("book_ask_topic", "Max", b.bookingPolicy().TopicMax), Buttons: Keyboard{
		Row(l, Button{Text: l.T("book_button_skip"), Data: "bk:skip"}),
		Row(l, Button{Text: l.T("button_back"), Data: p.day(booking.DateOf(start, b.bookingPolicy().Location))}),
	}}}, nil
}

// bookingText is the topic typed while the booking flow waits for it.
func (b *Bot) bookingText(ctx context.Context, r *Request) ([]Reply, error) {
	st := r.State
	if (st.Step != "topic" && st.Step != "confirm") || st.Data == nil {
		return b.freeText(ctx, r)
	}
	topic := strings.Join(strings.Fields(r.Text), " ")
	if max := b.bookingPolicy().TopicMax; utf8.RuneCountInString(topic) > max {
		return []Reply{Text(r.L.T("book_topic_too_long", "Max", max))}, nil
	}
	st.Data["topic"] = topic
	return b.summaryFromStateData(ctx, r, st)
}

func (b *Bot) summaryFromState(ctx context.Context, r *Request) ([]Reply, error) {
	st := r.State
	if st.Flow != flowBooking || st.Data == nil {
		return b.staleButton(ctx, r)
	}
	return b.summaryFromStateData(ctx, r, st)
}

func (b *Bot) summaryFromStateData(ctx context.Context, r *Request, st conversation.State) ([]Reply, error) {
	d := st.Data
	svcID, ok1 := argID([]string{d["svc"]}, 0)
	cid, start, ok2 := slotArgs([]string{d["c"], d["start"]}, 0)
	if !ok1 || !ok2 {
		return b.staleButton(ctx, r)
	}
	svc, err := b.d.Bookings.Service(ctx, svcID)
	if errors.Is(err, booking.ErrNotFound) {
		return b.staleButton(ctx, r)
	}
	if err != nil {
		return nil, err
	}
	st.Step = "confirm"
	if err := b.d.Conversations.Set(ctx, r.User.ID, st); err != nil {
		return nil, err
	}
	return b.summary(ctx, r, pick{svc: svc, lang: d["lang"]}, cid, start, d["topic"])
}

// summary asks to confirm the appointment.
func (b *Bot) summary(ctx context.Context, r *Request, p pick, cid int64, start time.Time, topic string) ([]Reply, error) {
	l := r.L
	slot, err := b.booker().Check(ctx, p.svc, p.lang, cid, start, 0)
	if err != nil && !errors.Is(err, booking.ErrSlotTaken) {
		return b.slotRefused(r, p, err, nil)
	}
	a := appointment{Service: p.svc, Start: start, End: slot.End, Language: p.lang, Counsellor: b.counsellorName(ctx, p.svc, cid), Topic: topic}
	return []Reply{{Text: l.T("book_summary") + "\n\n" + b.details(l, a, false), Buttons: Keyboard{
		Row(l, Button{Text: l.T("book_button_confirm"), Data: p.confirm(cid, start)}),
		Row(l, Button{Text: l.T("book_button_abort"), Data: "bk:x"}),
	}}}, nil
}

func (b *Bot) counsellorName(ctx context.Context, svc booking.Service, cid int64) string {
	day := b.booker().Today()
	a, err := b.d.Bookings.Availability(ctx, svc.ID, "", day, day)
	if err != nil {
		return ""
	}
	for _, c := range a.Counsellors {
		if c.ID == cid {
			return c.Name
		}
	}
	return ""
}

// confirmBooking books the slot.
func (b *Bot) confirmBooking(ctx context.Context, r *Request, p pick, cid int64, start time.Time) ([]Reply, error) {
	l := r.L
	st := r.State
	topic := ""
	if st.Flow == flowBooking && st.Data["svc"] == strconv.FormatInt(p.svc.ID, 10) && st.Data["lang"] == p.lang {
		topic = st.Data["topic"]
	}
	name := strings.TrimSpace(r.From.FirstName)
	if utf8.RuneCountInString(name) > 64 {
		name = string([]rune(name)[:64])
	}
	bk, alts, err := b.booker().Book(ctx, p.svc, booking.Request{
		CounsellorID: cid, ClientID: r.User.ID, ClientName: name, Language: p.lang, Topic: topic, Start: start,
	})
	switch {
	case err == nil:
	case errors.Is(err, booking.ErrTooManyBookings):
		return []Reply{{Text: l.T("book_too_many"), Buttons: Keyboard{Row(l, Button{Text: l.T("menu_mybookings"), Data: "mb:list"})}}}, nil
	case errors.Is(err, booking.ErrOverlap):
		return []Reply{{Text: l.T("book_overlap"), Buttons: Keyboard{Row(l, Button{Text: l.T("menu_mybookings"), Data: "mb:list"})}}}, nil
	default:
		return b.slotRefused(r, p, err, alts)
	}
	if err := b.clearBookingFlow(ctx, r); err != nil {
		return nil, err
	}
	b.kick() // the counsellor's notice is due now
	return b.confirmation(l, "book_confirmed", bk), nil
}
