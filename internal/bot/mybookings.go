package bot

// /mybookings: the client's upcoming appointments with cancel (asked
// again first; not after the deadline, then how to reach the counsellor)
// and reschedule (the new slot is booked and the old one released in one
// transaction), their waitlist entries, and the reminders with "I'll be
// there" and "cancel".
//
// A booking id in a button is only ever looked up together with the
// user pressing it (Booker.ClientBooking): someone else's id is refused
// as forged, nothing changed.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/user"
)

func (b *Bot) myBookingsCommand(ctx context.Context, r *Request) ([]Reply, error) {
	if err := b.clearBookingFlow(ctx, r); err != nil {
		return nil, err
	}
	return b.myBookings(ctx, r, false)
}

// myBookings lists upcoming appointments, one message each with its
// buttons, and waitlist entries.
func (b *Bot) myBookings(ctx context.Context, r *Request, edit bool) ([]Reply, error) {
	l := r.L
	list, err := b.d.Bookings.Upcoming(ctx, r.User.ID, b.d.Now())
	if err != nil {
		return nil, err
	}
	waits, err := b.d.Bookings.ClientWaitlist(ctx, r.User.ID, b.booker().Today())
	if err != nil {
		return nil, err
	}
	if len(list) == 0 && len(waits) == 0 {
		return []Reply{{Text: l.T("mb_none"), Edit: edit, Buttons: Keyboard{
			Row(l, Button{Text: l.T("menu_book"), Data: "bk:go"}),
			backButton(l),
		}}}, nil
	}
	replies := []Reply{{Text: l.T("mb_title"), Edit: edit}}
	for _, bk := range list {
		replies = append(replies, Reply{Text: b.details(l, appointmentOf(bk), false), Buttons: b.bookingButtons(l, bk)})
	}
	loc := b.bookingPolicy().Location
	for _, w := range waits {
		replies = append(replies, Reply{
			Text:    l.T("mb_waitlist_entry", "Service", w.Service.Name(l.Lang), "From", l.DayMonth(w.First.Start(loc)), "To", l.DayMonth(w.Last.Start(loc))),
			Buttons: Keyboard{Row(l, Button{Text: l.T("wl_button_leave"), Data: fmt.Sprintf("wl:leave:%d", w.ID)})},
		})
	}
	return replies, nil
}

func (b *Bot) bookingButtons(l *locale.Localizer, bk booking.Booking) Keyboard {
	return Keyboard{Row(l,
		Button{Text: l.T("mb_button_reschedule"), Data: fmt.Sprintf("mb:rs:%d", bk.ID)},
		Button{Text: l.T("mb_button_cancel"), Data: fmt.Sprintf("mb:x:%d", bk.ID)},
	)}
}

// ownBooking loads the user's booking named by args[i]; ok false means
// the data was forged (not a number, not theirs) and the refusal is in
// replies.
func (b *Bot) ownBooking(ctx context.Context, r *Request, i int, action string) (booking.Booking, []Reply, error) {
	id, ok := argID(r.Args, i)
	if !ok {
		return booking.Booking{}, b.forged(r, action), nil
	}
	bk, err := b.booker().ClientBooking(ctx, id, r.User.ID)
	if errors.Is(err, booking.ErrNotFound) {
		return bk, b.forged(r, action), nil
	}
	return bk, nil, err
}

// upcoming reports a booking that can still be cancelled or moved at
// all; otherwise the toast saying so.
func (b *Bot) upcoming(r *Request, bk booking.Booking) ([]Reply, bool) {
	if bk.Status != booking.StatusBooked || !bk.End.After(b.d.Now()) {
		return []Reply{{Toast: r.L.T("mb_not_active")}}, false
	}
	return nil, true
}

// tooLate says that the deadline passed and how to reach the counsellor.
func (b *Bot) tooLate(l *locale.Localizer, bk booking.Booking) []Reply {
	contact := bk.Counsellor.Phone
	if contact == "" {
		contact = bk.Service.Phone
	}
	if contact == "" {
		contact = bk.Service.Venue.Name
	}
	until := b.bookingPolicy().CancelUntil(bk.Start)
	return []Reply{{Text: l.T("mb_too_late", "Deadline", l.DateTime(b.local(until)), "Counsellor", bk.Counsellor.Name, "Contact", contact) +
		"\n\n" + b.details(l, appointmentOf(bk), false), Edit: true}}
}

func (b *Bot) pastDeadline(bk booking.Booking) bool {
	return b.d.Now().After(b.bookingPolicy().CancelUntil(bk.Start))
}

func (b *Bot) myBookingsButton(ctx context.Context, r *Request) ([]Reply, error) {
	l := r.L
	action := arg(r.Args, 0)
	if action == "list" && len(r.Args) == 1 {
		return b.myBookings(ctx, r, true)
	}
	if len(r.Args) != 2 {
		return b.forged(r, "mb_"+action), nil
	}
	bk, refused, err := b.ownBooking(ctx, r, 1, "mb_"+action)
	if err != nil || refused != nil {
		return refused, err
	}
	switch action {
	case "here": // from a reminder
		if err := b.d.Bookings.Confirm(ctx, bk.ID, r.User.ID, b.d.Now()); errors.Is(err, booking.ErrNotFound) {
			return []Reply{{Toast: l.T("mb_not_active")}}, nil
		} else if err != nil {
			return nil, err
		}
		return []Reply{{Toast: l.T("mb_see_you")}}, nil
	case "xn":
		return []Reply{{Text: l.T("mb_kept") + "\n\n" + b.details(l, appointmentOf(bk), false), Buttons: b.bookingButtons(l, bk), Edit: true}}, nil
	}
	if deny, ok := b.upcoming(r, bk); !ok {
		return deny, nil
	}
	if b.pastDeadline(bk) {
		return b.tooLate(l, bk), nil
	}
	switch action {
	case "x":
		return []Reply{{Text: l.T("mb_cancel_confirm") + "\n\n" + b.details(l, appointmentOf(bk), false), Edit: true, Buttons: Keyboard{
			Row(l, Button{Text: l.T("mb_button_cancel_yes"), Data: fmt.Sprintf("mb:xy:%d", bk.ID)}),
			Row(l, Button{Text: l.T("mb_button_cancel_no"), Data: fmt.Sprintf("mb:xn:%d", bk.ID)}),
		}}}, nil
	case "xy":
		cancelled, err := b.booker().Cancel(ctx, bk, r.User.ID)
		switch {
		case errors.Is(err, booking.ErrDeadlinePassed):
			return b.tooLate(l, bk), nil
		case errors.Is(err, booking.ErrNotFound):
			return []Reply{{Toast: l.T("mb_not_active")}}, nil
		case err != nil:
			return nil, err
		}
		b.kick() // the counsellor's notice, maybe a waitlist offer
		return []Reply{{Text: l.T("mb_cancelled") + "\n\n" + b.details(l, appointmentOf(cancelled), false), Edit: true, Buttons: Keyboard{
			Row(l, Button{Text: l.T("menu_book"), Data: "bk:go"}),
			backButton(l),
		}}}, nil
	case "rs":
		replies, err := b.days(ctx, r, pick{svc: bk.Service, lang: bk.Language, old: &bk}, 0, true)
		for i := range replies {
			replies[i].Edit = true
		}
		return replies, err
	}
	return b.forged(r, "mb_"+action), nil
}

// rescheduleButton handles rs:…, choosing the new time of a booking.
func (b *Bot) rescheduleButton(ctx context.Context, r *Request) ([]Reply, error) {
	l := r.L
	a := r.Args
	action := arg(a, 0)
	bk, refused, err := b.ownBooking(ctx, r, 1, "rs_"+action)
	if err != nil || refused != nil {
		return refused, err
	}
	if deny, ok := b.upcoming(r, bk); !ok {
		return deny, nil
	}
	if b.pastDeadline(bk) {
		return b.tooLate(l, bk), nil
	}
	p := pick{svc: bk.Service, lang: bk.Language, old: &bk}
	var replies []Reply
	switch {
	case action == "w" && len(a) == 3:
		page, err2 := strconv.Atoi(arg(a, 2))
		if err2 != nil || page < 0 || page > 52 {
			return b.forged(r, "rs_week"), nil
		}
		replies, err = b.days(ctx, r, p, page, false)
	case action == "d" && len(a) == 3:
		d, err2 := booking.ParseCompactDate(arg(a, 2))
		if err2 != nil {
			return b.forged(r, "rs_day"), nil
		}
		replies, err = b.times(ctx, r, p, d)
	case (action == "t" || action == "ok") && len(a) == 4:
		cid, start, ok := slotArgs(a, 2)
		if !ok {
			return b.forged(r, "rs_time"), nil
		}
		if action == "t" {
			replies, err = b.rescheduleSummary(ctx, r, p, cid, start)
		} else {
			replies, err = b.confirmReschedule(ctx, r, p, cid, start)
		}
	default:
		return b.forged(r, "rs_"+action), nil
	}
	for i := range replies {
		replies[i].Edit = replies[i].Text != ""
	}
	return replies, err
}

func (b *Bot) rescheduleSummary(ctx context.Context, r *Request, p pick, cid int64, start time.Time) ([]Reply, error) {
	l := r.L
	k := b.booker()
	slot, err := k.Check(ctx, p.svc, p.lang, cid, start, p.old.ID)
	if err != nil {
		var alts []booking.Slot
		if errors.Is(err, booking.ErrSlotTaken) {
			if alts, err = k.Alternatives(ctx, p.svc, p.lang, start); err != nil {
				return nil, err
			}
			err = booking.ErrSlotTaken
		}
		return b.slotRefused(r, p, err, alts)
	}
	next := appointment{Service: p.svc, Start: slot.Start, End: slot.End, Language: p.lang, Counsellor: b.counsellorName(ctx, p.svc, cid), Topic: p.old.Topic}
	text := l.T("mb_reschedule_summary", "When", l.DateTime(b.local(p.old.Start))) + "\n\n" + b.details(l, next, false)
	return []Reply{{Text: text, Buttons: Keyboard{
		Row(l, Button{Text: l.T("mb_button_reschedule_confirm"), Data: p.confirm(cid, start)}),
		Row(l, Button{Text: l.T("book_button_abort"), Data: "mb:list"}),
	}}}, nil
}

func (b *Bot) confirmReschedule(ctx context.Context, r *Request, p pick, cid int64, start time.Time) ([]Reply, error) {
	l := r.L
	nb, alts, err := b.booker().Reschedule(ctx, *p.old, r.User.ID, cid, start)
	switch {
	case err == nil:
	case errors.Is(err, booking.ErrDeadlinePassed):
		return b.tooLate(l, *p.old), nil
	case errors.Is(err, booking.ErrOverlap):
		return []Reply{Text(l.T("book_overlap"))}, nil
	case errors.Is(err, booking.ErrNotFound):
		return []Reply{{Toast: l.T("mb_not_active")}}, nil
	default:
		return b.slotRefused(r, p, err, alts)
	}
	b.kick()
	return b.confirmation(l, "mb_rescheduled", nb), nil
}

// renderBookingReminder is the reminder before an appointment, in the
// client's language of the moment, with "I'll be there" and "cancel".
// A cancelled or moved booking's reminder is dropped.
func (b *Bot) renderBookingReminder(ctx context.Context, n notify.Notification, _ *user.User, l *locale.Localizer) ([]Reply, error) {
	bk, err := b.notifiedBooking(ctx, n)
	if err != nil {
		return nil, err
	}
	if bk.Status != booking.StatusBooked || bk.ClientID != n.UserID || strconv.FormatInt(bk.Start.Unix(), 10) != n.Data["start"] {
		return nil, notify.ErrObsolete
	}
	return []Reply{{
		Text: l.T("reminder_title", "When", l.DateTime(b.local(bk.Start))) + "\n\n" + b.details(l, appointmentOf(bk), false),
		Buttons: Keyboard{Row(l,
			Button{Text: l.T("reminder_button_here"), Data: fmt.Sprintf("mb:here:%d", bk.ID)},
			Button{Text: l.T("mb_button_cancel"), Data: fmt.Sprintf("mb:x:%d", bk.ID)},
		)},
	}}, nil
}

// notifiedBooking loads the booking a notification is about.
func (b *Bot) notifiedBooking(ctx context.Context, n notify.Notification) (booking.Booking, error) {
	id, err := strconv.ParseInt(n.Data["booking"], 10, 64)
	if err != nil {
		return booking.Booking{}, notify.ErrObsolete
	}
	bk, err := b.d.Bookings.Booking(ctx, id)
	if errors.Is(err, booking.ErrNotFound) {
		return bk, notify.ErrObsolete
	}
	return bk, err
}
