package bot

// The counsellors' side of booking: /agenda (today, tomorrow, this week),
// marking appointments attended or no-show, blocking time or a whole day,
// the waitlist of their services, notices of every new, cancelled and
// moved booking in their language, and linking their Telegram account
// with an invite link (?start=c_<token>, made by `netzbot counsellor
// invite`).
//
// Only a user whose stored role is at least counsellor and whose account
// is linked to a counsellor gets in; a booking id in a button must be one
// of that counsellor's.

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/user"
)

// counsellor is the counsellor the user is, or the refusal to send.
func (b *Bot) counsellor(ctx context.Context, r *Request) (booking.Counsellor, []Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCounsellor, "agenda"); !ok {
		return booking.Counsellor{}, deny, nil
	}
	c, err := b.d.Bookings.CounsellorByUser(ctx, r.User.ID)
	if errors.Is(err, booking.ErrNotFound) {
		return c, b.refusal(r, "agenda_not_linked"), nil
	}
	return c, nil, err
}

func (b *Bot) agendaCommand(ctx context.Context, r *Request) ([]Reply, error) {
	c, deny, err := b.counsellor(ctx, r)
	if err != nil || deny != nil {
		return deny, err
	}
	if err := b.clearBookingFlow(ctx, r); err != nil {
		return nil, err
	}
	return b.agenda(ctx, r, c, b.booker().Today(), 1)
}

// agenda lists the counsellor's appointments on days from… from+days-1,
// with outcome buttons for the ones that have begun.
func (b *Bot) agenda(ctx context.Context, r *Request, c booking.Counsellor, from booking.Date, days int) ([]Reply, error) {
	l := r.L
	loc := b.bookingPolicy().Location
	list, err := b.d.Bookings.Agenda(ctx, c.ID, from.Start(loc), from.AddDays(days).Start(loc))
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	if days == 1 {
		sb.WriteString(l.T("agenda_title_day", "Date", l.Date(from.Start(loc))))
	} else {
		sb.WriteString(l.T("agenda_title_range", "From", l.DayMonth(from.Start(loc)), "To", l.DayMonth(from.AddDays(days-1).Start(loc))))
	}
	if len(list) == 0 {
		sb.WriteString("\n\n" + l.T("agenda_empty"))
	}
	var kb Keyboard
	var day booking.Date
	now := b.d.Now()
	for _, bk := range list {
		start := b.local(bk.Start)
		if d := booking.DateOf(bk.Start, loc); d != day {
			day = d
			sb.WriteString("\n\n" + bold(l, l.DayMonth(start)))
		}
		client := bk.ClientName
		if strings.TrimSpace(client) == "" {
			client = "—"
		}
		sb.WriteString("\n" + l.T("agenda_line", "Time", locale.Clock(start)+"–"+locale.Clock(b.local(bk.End)),
			"Service", bk.Service.Name(l.Lang), "Client", client, "Language", locale.NativeName(bk.Language)))
		switch bk.Status {
		case booking.StatusAttended:
			sb.WriteString(" " + l.T("agenda_status_attended"))
		case booking.StatusNoShow:
			sb.WriteString(" " + l.T("agenda_status_noshow"))
		}
		if bk.Topic != "" {
			sb.WriteString("\n" + l.T("detail_topic", "Value", bk.Topic))
		}
		if bk.Status == booking.StatusBooked && !now.Before(bk.Start) {
			t := locale.Clock(start)
			kb = append(kb, Row(l,
				Button{Text: l.T("agenda_button_attended", "Time", t), Data: fmt.Sprintf("ag:ok:%d", bk.ID)},
				Button{Text: l.T("agenda_button_noshow", "Time", t), Data: fmt.Sprintf("ag:ns:%d", bk.ID)},
			))
		}
	}
	kb = append(kb,
		Row(l, Button{Text: l.T("agenda_button_today"), Data: "ag:v:0"}, Button{Text: l.T("agenda_button_tomorrow"), Data: "ag:v:1"}, Button{Text: l.T("agenda_button_week"), Data: "ag:v:7"}),
		Row(l, Button{Text: l.T("agenda_button_block"), Data: "ag:bl"}, Button{Text: l.T("agenda_button_waitlist"), Data: "ag:wl"}),
	)
	return []Reply{{Text: sb.String(), Buttons: kb}}, nil
}

// agendaDay reads a yyyymmdd within a sensible range around today.
func (b *Bot) agendaDay(s string, back, ahead int) (booking.Date, bool) {
	d, err := booking.ParseCompactDate(s)
	if err != nil {
		return d, false
	}
	today := b.booker().Today()
	return d, !d.Before(today.AddDays(-back)) && !d.After(today.AddDays(ahead))
}

// blockDays is how far ahead time can be blocked in the chat.
const blockDays = 60

func (b *Bot) agendaButton(ctx context.Context, r *Request) ([]Reply, error) {
	c, deny, err := b.counsellor(ctx, r)
	if err != nil || deny != nil {
		return deny, err
	}
	replies, err := b.agendaAction(ctx, r, c)
	for i := range replies {
		replies[i].Edit = replies[i].Text != ""
	}
	return replies, err
}

func (b *Bot) agendaAction(ctx context.Context, r *Request, c booking.Counsellor) ([]Reply, error) {
	l := r.L
	a := r.Args
	action := arg(a, 0)
	today := b.booker().Today()
	switch {
	case action == "v" && len(a) == 2:
		switch arg(a, 1) {
		case "0":
			return b.agenda(ctx, r, c, today, 1)
		case "1":
			return b.agenda(ctx, r, c, today.AddDays(1), 1)
		case "7":
			return b.agenda(ctx, r, c, today, 7)
		}
	case action == "day" && len(a) == 2:
		if d, ok := b.agendaDay(arg(a, 1), 90, blockDays+b.bookingPolicy().HorizonDays); ok {
			return b.agenda(ctx, r, c, d, 1)
		}
	case (action == "ok" || action == "ns") && len(a) == 2:
		id, ok := argID(a, 1)
		if !ok {
			break
		}
		st := booking.StatusAttended
		if action == "ns" {
			st = booking.StatusNoShow
		}
		bk, err := b.d.Bookings.SetOutcome(ctx, id, c.ID, st, b.d.Now())
		switch {
		case errors.Is(err, booking.ErrNotFound):
			return b.forged(r, "agenda_outcome"), nil
		case errors.Is(err, booking.ErrTooEarly):
			return []Reply{{Toast: l.T("agenda_too_early")}}, nil
		case err != nil:
			return nil, err
		}
		replies, err := b.agenda(ctx, r, c, booking.DateOf(bk.Start, b.bookingPolicy().Location), 1)
		if len(replies) > 0 {
			replies[0].Toast = l.T("agenda_marked")
		}
		return replies, err
	case action == "bl" && len(a) == 1:
		var kb Keyboard
		var row []Button
		loc := b.bookingPolicy().Location
		for i := 0; i < 14; i++ {
			d := today.AddDays(i)
			row = append(row, Button{Text: l.DayMonth(d.Start(loc)), Data: "ag:bd:" + d.Compact()})
			if len(row) == 2 {
				kb, row = append(kb, Row(l, row...)), nil
			}
		}
		kb = append(kb, Row(l, Button{Text: l.T("button_back"), Data: "ag:v:0"}))
		return []Reply{{Text: l.T("agenda_block_day"), Buttons: kb}}, nil
	case action == "bd" && len(a) == 2:
		d, ok := b.agendaDay(arg(a, 1), 0, blockDays)
		if !ok {
			break
		}
		if err := b.d.Conversations.Set(ctx, r.User.ID, conversation.State{Flow: flowAgenda, Step: "block", Data: map[string]string{"day": d.Compact()}}); err != nil {
			return nil, err
		}
		return []Reply{{Text: l.T("agenda_block_time", "Date", l.Date(d.Start(b.bookingPolicy().Location))), Buttons: Keyboard{
			Row(l, Button{Text: l.T("agenda_whole_day"), Data: "ag:bw:" + d.Compact()}),
			Row(l, Button{Text: l.T("button_back"), Data: "ag:bl"}),
		}}}, nil
	case action == "bw" && len(a) == 2:
		d, ok := b.agendaDay(arg(a, 1), 0, blockDays)
		if !ok {
			break
		}
		return b.block(ctx, r, c, d, true, 0, 0)
	case action == "wl" && len(a) == 1:
		return b.counsellorWaitlist(ctx, r, c)
	}
	return b.forged(r, "agenda_"+action), nil
}

var blockRange = regexp.MustCompile(`^(\d{1,2})(?:[:.](\d{2}))?\s*(?:-|–|—)\s*(\d{1,2})(?:[:.](\d{2}))?$`)

// parseRange reads "14:00-16:00", "9-12", "9.30 – 11".
func parseRange(s string) (booking.Clock, booking.Clock, bool) {
	m := blockRange.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, 0, false
	}
	clock := func(h, mm string) (booking.Clock, bool) {
		if mm == "" {
			mm = "00"
		}
		c, err := booking.ParseClock(fmt.Sprintf("%02s:%s", h, mm))
		return c, err == nil
	}
	from, ok1 := clock(m[1], m[2])
	to, ok2 := clock(m[3], m[4])
	return from, to, ok1 && ok2 && to > from
}

// agendaText is the time range typed after choosing a day to block.
func (b *Bot) agendaText(ctx context.Context, r *Request) ([]Reply, error) {
	c, deny, err := b.counsellor(ctx, r)
	if err != nil || deny != nil {
		return deny, err
	}
	d, err := booking.ParseCompactDate(r.State.Data["day"])
	if r.State.Step != "block" || err != nil {
		return b.freeText(ctx, r)
	}
	from, to, ok := parseRange(r.Text)
	if !ok {
		return []Reply{Text(r.L.T("agenda_block_bad"))}, nil
	}
	return b.block(ctx, r, c, d, false, from, to)
}

func (b *Bot) block(ctx context.Context, r *Request, c booking.Counsellor, d booking.Date, allDay bool, from, to booking.Clock) ([]Reply, error) {
	l := r.L
	n, err := b.d.Bookings.Block(ctx, c.ID, d, allDay, from, to)
	if err != nil {
		return nil, err
	}
	if r.State.Flow == flowAgenda {
		if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
			return nil, err
		}
	}
	span := l.T("agenda_whole_day")
	if !allDay {
		span = from.String() + "–" + to.String()
	}
	text := l.T("agenda_blocked", "Date", l.Date(d.Start(b.bookingPolicy().Location)), "Time", span)
	if n > 0 {
		text += "\n\n" + l.T("agenda_blocked_has_bookings")
	}
	return []Reply{{Text: text, Buttons: Keyboard{Row(l, Button{Text: l.T("agenda_button_day"), Data: "ag:day:" + d.Compact()})}}}, nil
}

func (b *Bot) counsellorWaitlist(ctx context.Context, r *Request, c booking.Counsellor) ([]Reply, error) {
	l := r.L
	list, err := b.d.Bookings.CounsellorWaitlist(ctx, c.ID, b.booker().Today())
	if err != nil {
		return nil, err
	}
	text := l.T("agenda_waitlist_title")
	if len(list) == 0 {
		text += "\n\n" + l.T("agenda_waitlist_empty")
	}
	loc := b.bookingPolicy().Location
	for _, w := range list {
		name := w.ClientName
		if strings.TrimSpace(name) == "" {
			name = "—"
		}
		text += "\n" + l.T("agenda_waitlist_line", "Service", w.Service.Name(l.Lang), "Client", name,
			"Language", locale.NativeName(w.Language), "From", l.DayMonth(w.First.Start(loc)), "To", l.DayMonth(w.Last.Start(loc)))
	}
	return []Reply{{Text: text, Buttons: Keyboard{Row(l, Button{Text: l.T("button_back"), Data: "ag:v:0"})}}}, nil
}

// counsellorInvite links the account to a counsellor: ?start=c_<token>.
// Only the token's hash is stored; a token works once.
func (b *Bot) counsellorInvite(ctx context.Context, r *Request) ([]Reply, error) {
	l := r.L
	_, token, _ := parseDeepLink(r.Command.Args)
	if len(token) < 22 { // 128 bits in base64url
		b.securityEvent(r, "invite_invalid")
		return []Reply{Text(l.T("invite_invalid"))}, nil
	}
	sum := sha256.Sum256([]byte(token))
	c, err := b.d.Bookings.AcceptInvite(ctx, sum[:], r.User.ID, b.d.Now())
	if errors.Is(err, booking.ErrInviteInvalid) {
		b.securityEvent(r, "invite_invalid")
		return []Reply{Text(l.T("invite_invalid"))}, nil
	}
	if err != nil {
		return nil, err
	}
	return []Reply{{Text: l.T("invite_ok", "Name", c.Name), Buttons: Keyboard{Row(l, Button{Text: l.T("agenda_button_today"), Data: "ag:v:0"})}}}, nil
}

// renderCounsellorNotice tells a counsellor about a new, cancelled or
// moved booking, in the counsellor's language.
func (b *Bot) renderCounsellorNotice(ctx context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	bk, err := b.notifiedBooking(ctx, n)
	if err != nil {
		return nil, err
	}
	var title string
	switch n.Data["event"] {
	case booking.NoticeNew:
		title = l.T("notice_new")
	case booking.NoticeCancelled:
		title = l.T("notice_cancelled")
	case booking.NoticeMoved:
		prev := ""
		if id, err := strconv.ParseInt(n.Data["previous"], 10, 64); err == nil {
			if old, err := b.d.Bookings.Booking(ctx, id); err == nil {
				prev = l.DateTime(b.local(old.Start))
			}
		}
		title = l.T("notice_moved", "When", prev)
	default:
		return nil, notify.ErrObsolete
	}
	d := booking.DateOf(bk.Start, b.bookingPolicy().Location)
	return []Reply{{
		Text:    title + "\n\n" + b.details(l, appointmentOf(bk), true),
		Buttons: Keyboard{Row(l, Button{Text: l.T("agenda_button_day"), Data: "ag:day:" + d.Compact()})},
	}}, nil
}
