package bot

// The waitlist: when no slot fits, a client waits for a service in a date
// range. When a slot frees up (a cancellation, a move), the store holds it
// for the first waiting client who fits and queues an offer; the offer
// has a button to take it until the hold ends (Policy.Hold, 15 min). Not
// taken in time, the sweeper in bookingRoutes ends the hold, tells the
// client and the next one gets the offer.

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/user"
)

func (b *Bot) waitlistButton(ctx context.Context, r *Request) ([]Reply, error) {
	replies, err := b.waitlistAction(ctx, r)
	for i := range replies {
		replies[i].Edit = replies[i].Text != ""
	}
	return replies, err
}

func (b *Bot) waitlistAction(ctx context.Context, r *Request) ([]Reply, error) {
	l := r.L
	a := r.Args
	action := arg(a, 0)
	switch {
	case (action == "j" && len(a) == 3) || (action == "jr" && len(a) == 4):
		svc, ok, err := b.serviceArg(ctx, a, 1)
		if err != nil || !ok {
			return b.bookForged(r, err)
		}
		lang := arg(a, 2)
		if !svc.HeldIn(lang) {
			return b.forged(r, "wl_language"), nil
		}
		if action == "j" {
			return b.waitlistRanges(r, svc, lang), nil
		}
		days, err := strconv.Atoi(arg(a, 3))
		if err != nil || !b.waitlistRange(days) {
			return b.forged(r, "wl_range"), nil
		}
		return b.joinWaitlist(ctx, r, svc, lang, days)
	case (action == "take" || action == "no") && len(a) == 2:
		return b.answerOffer(ctx, r, action == "take")
	case action == "leave" && len(a) == 2:
		id, ok := argID(a, 1)
		if !ok {
			return b.forged(r, "wl_leave"), nil
		}
		err := b.d.Bookings.LeaveWaitlist(ctx, id, r.User.ID, b.d.Now())
		if errors.Is(err, booking.ErrNotFound) {
			return b.forged(r, "wl_leave"), nil
		}
		if err != nil {
			return nil, err
		}
		return []Reply{{Text: l.T("wl_left")}}, nil
	}
	return b.forged(r, "wl_"+action), nil
}

// waitlistDays are the ranges offered: a week, two, up to the horizon.
func (b *Bot) waitlistDays() []int {
	h := b.bookingPolicy().HorizonDays
	var out []int
	for _, d := range []int{7, 14} {
		if d < h {
			out = append(out, d)
		}
	}
	return append(out, h)
}

func (b *Bot) waitlistRange(days int) bool {
	for _, d := range b.waitlistDays() {
		if d == days {
			return true
		}
	}
	return false
}

func (b *Bot) waitlistRanges(r *Request, svc booking.Service, lang string) []Reply {
	l := r.L
	today := b.booker().Today()
	loc := b.bookingPolicy().Location
	var kb Keyboard
	for _, d := range b.waitlistDays() {
		kb = append(kb, Row(l, Button{
			Text: l.T("wl_button_until", "Date", l.DayMonth(today.AddDays(d).Start(loc))),
			Data: fmt.Sprintf("wl:jr:%d:%s:%d", svc.ID, lang, d),
		}))
	}
	kb = append(kb, Row(l, Button{Text: l.T("button_back"), Data: fmt.Sprintf("bk:l:%d:%s", svc.ID, lang)}))
	return []Reply{{Text: l.T("wl_choose_range", "Service", svc.Name(l.Lang), "Language", locale.NativeName(lang)), Buttons: kb}}
}

func (b *Bot) joinWaitlist(ctx context.Context, r *Request, svc booking.Service, lang string, days int) ([]Reply, error) {
	l := r.L
	today := b.booker().Today()
	e := booking.WaitlistEntry{
		ServiceID: svc.ID, ClientID: r.User.ID, ClientName: r.From.FirstName, Language: lang,
		First: today, Last: today.AddDays(days), CreatedAt: b.d.Now(),
	}
	_, err := b.d.Bookings.JoinWaitlist(ctx, e)
	loc := b.bookingPolicy().Location
	kv := []any{"Service", svc.Name(l.Lang), "Language", locale.NativeName(lang), "From", l.DayMonth(e.First.Start(loc)), "To", l.DayMonth(e.Last.Start(loc))}
	switch {
	case errors.Is(err, booking.ErrAlreadyWaiting):
		return []Reply{{Text: l.T("wl_already", kv...), Buttons: Keyboard{Row(l, Button{Text: l.T("menu_mybookings"), Data: "mb:list"})}}}, nil
	case err != nil:
		return nil, err
	}
	return []Reply{{Text: l.T("wl_joined", kv...), Buttons: Keyboard{backButton(l)}}}, nil
}

// answerOffer takes or declines a held slot.
func (b *Bot) answerOffer(ctx context.Context, r *Request, take bool) ([]Reply, error) {
	l := r.L
	id, ok := argID(r.Args, 1)
	if !ok {
		return b.forged(r, "wl_offer"), nil
	}
	hold, err := b.d.Bookings.Booking(ctx, id)
	if errors.Is(err, booking.ErrNotFound) || (err == nil && hold.ClientID != r.User.ID) {
		return b.forged(r, "wl_offer"), nil
	}
	if err != nil {
		return nil, err
	}
	gone := []Reply{{Text: l.T("wl_offer_gone")}}
	if hold.Status != booking.StatusHeld || !b.d.Now().Before(hold.HoldUntil) {
		return gone, nil
	}
	if !take {
		err := b.d.Bookings.DeclineHold(ctx, id, r.User.ID, b.d.Now())
		if errors.Is(err, booking.ErrNotFound) {
			return gone, nil
		}
		if err != nil {
			return nil, err
		}
		b.kick() // the next one's offer
		return []Reply{{Text: l.T("wl_declined")}}, nil
	}
	bk, err := b.d.Bookings.TakeHold(ctx, id, r.User.ID, b.d.Now())
	switch {
	case errors.Is(err, booking.ErrHoldExpired), errors.Is(err, booking.ErrNotFound):
		return gone, nil
	case errors.Is(err, booking.ErrTooManyBookings):
		return []Reply{{Text: l.T("book_too_many"), Buttons: Keyboard{Row(l, Button{Text: l.T("menu_mybookings"), Data: "mb:list"})}}}, nil
	case err != nil:
		return nil, err
	}
	b.kick() // the counsellor's notice
	return b.confirmation(l, "book_confirmed", bk), nil
}

// renderWaitlistOffer offers a held slot until the hold ends.
func (b *Bot) renderWaitlistOffer(ctx context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	hold, err := b.notifiedBooking(ctx, n)
	if err != nil {
		return nil, err
	}
	if hold.Status != booking.StatusHeld || hold.ClientID != n.UserID || !b.d.Now().Before(hold.HoldUntil) {
		return nil, notify.ErrObsolete
	}
	return []Reply{{
		Text: l.T("wl_offer", "Until", locale.Clock(b.local(hold.HoldUntil))) + "\n\n" + b.details(l, appointmentOf(hold), false),
		Buttons: Keyboard{
			Row(l, Button{Text: l.T("wl_button_take"), Data: fmt.Sprintf("wl:take:%d", hold.ID)}),
			Row(l, Button{Text: l.T("wl_button_decline"), Data: fmt.Sprintf("wl:no:%d", hold.ID)}),
		},
	}}, nil
}

// renderOfferExpired tells a client their hold ran out.
func (b *Bot) renderOfferExpired(ctx context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	hold, err := b.notifiedBooking(ctx, n)
	if err != nil {
		return nil, err
	}
	return []Reply{Text(l.T("wl_offer_expired", "Service", hold.Service.Name(l.Lang)))}, nil
}
