package booking

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Booker is what the bot asks: the free slots of a service, and booking
// or moving an appointment with every check the data of a button needs.
// It is cheap to build; the Store does the work that needs consistency.
type Booker struct {
	Store  Store
	Policy Policy
	Now    func() time.Time
}

// Alternatives is how many other slots "just taken" offers.
const Alternatives = 6

func (k *Booker) now() time.Time {
	if k.Now == nil {
		return time.Now()
	}
	return k.Now()
}

func (k *Booker) policy() Policy { return k.Policy.WithDefaults() }

// Today is the current date in the policy's time zone.
func (k *Booker) Today() Date { return DateOf(k.now(), k.policy().Location) }

// Free returns the bookable slots of svc in lang on the days first through
// last, one per start time.
func (k *Booker) Free(ctx context.Context, svc Service, lang string, first, last Date) ([]Slot, error) {
	p := k.policy()
	now := k.now()
	wFirst, wLast := p.Window(now)
	first, last = maxDate(first, wFirst), minDate(last, wLast)
	if last.Before(first) {
		return nil, nil
	}
	a, err := k.Store.Availability(ctx, svc.ID, lang, first, last)
	if err != nil {
		return nil, err
	}
	return FirstPerStart(Slots(svc, a, p, now, first, last)), nil
}

// FreeAll returns every bookable slot of svc in lang within the horizon.
func (k *Booker) FreeAll(ctx context.Context, svc Service, lang string) ([]Slot, error) {
	first, last := k.policy().Window(k.now())
	return k.Free(ctx, svc, lang, first, last)
}

// Check makes sure start is a slot of svc given by counsellorID in lang,
// as a button claims: ErrInvalidSlot if it is not one (another service's,
// in the past, too soon, beyond the horizon, off the grid, a counsellor
// who does not give the service or speak the language), ErrSlotTaken if
// it is one but no longer free. ignore is a booking whose time counts as
// free (the one being moved), 0 for none.
func (k *Booker) Check(ctx context.Context, svc Service, lang string, counsellorID int64, start time.Time, ignore int64) (Slot, error) {
	if !svc.HeldIn(lang) || counsellorID <= 0 {
		return Slot{}, ErrInvalidSlot
	}
	p := k.policy()
	now := k.now()
	day := DateOf(start, p.Location)
	if first, last := p.Window(now); day.Before(first) || day.After(last) || start.Before(now.Add(p.MinNotice)) {
		return Slot{}, ErrInvalidSlot
	}
	a, err := k.Store.Availability(ctx, svc.ID, lang, day, day)
	if err != nil {
		return Slot{}, err
	}
	a.Counsellors = slices.DeleteFunc(a.Counsellors, func(c Counsellor) bool { return c.ID != counsellorID })
	if len(a.Counsellors) == 0 {
		return Slot{}, ErrInvalidSlot
	}
	if ignore != 0 {
		a.Busy = slices.DeleteFunc(a.Busy, func(b Busy) bool { return b.BookingID == ignore })
	}
	for _, s := range Candidates(svc, a, p, now, day, day) {
		if !s.Start.Equal(start) {
			continue
		}
		for _, f := range Slots(svc, a, p, now, day, day) {
			if f.Start.Equal(start) {
				return s, nil
			}
		}
		return s, ErrSlotTaken
	}
	return Slot{}, ErrInvalidSlot
}

// Book books the slot r names for the client after checking it. When the
// slot was taken meanwhile (seen here or refused by the database), it
// returns ErrSlotTaken with the next free slots.
func (k *Booker) Book(ctx context.Context, svc Service, r Request) (Booking, []Slot, error) {
	slot, err := k.Check(ctx, svc, r.Language, r.CounsellorID, r.Start, 0)
	if err == nil {
		r.ServiceID, r.End, r.Now = svc.ID, slot.End, k.now()
		var b Booking
		if b, err = k.Store.Book(ctx, r); err == nil {
			return b, nil, nil
		}
	}
	if errors.Is(err, ErrSlotTaken) {
		alts, aerr := k.Alternatives(ctx, svc, r.Language, r.Start)
		if aerr != nil {
			return Booking{}, nil, aerr
		}
		return Booking{}, alts, ErrSlotTaken
	}
	return Booking{}, nil, err
}

// Reschedule moves the client's booking old to the slot of counsellorID
// at start, in one transaction. Like Book, ErrSlotTaken comes with
// alternatives.
func (k *Booker) Reschedule(ctx context.Context, old Booking, clientID, counsellorID int64, start time.Time) (Booking, []Slot, error) {
	if old.ClientID != clientID || old.Status != StatusBooked {
		return Booking{}, nil, ErrNotFound
	}
	now := k.now()
	if now.After(k.policy().CancelUntil(old.Start)) {
		return Booking{}, nil, ErrDeadlinePassed
	}
	slot, err := k.Check(ctx, old.Service, old.Language, counsellorID, start, old.ID)
	if err == nil {
		r := Request{
			ServiceID: old.ServiceID, CounsellorID: counsellorID, ClientID: clientID, ClientName: old.ClientName,
			Language: old.Language, Topic: old.Topic, Start: slot.Start, End: slot.End, Now: now,
		}
		var b Booking
		if b, err = k.Store.Reschedule(ctx, old.ID, r); err == nil {
			return b, nil, nil
		}
	}
	if errors.Is(err, ErrSlotTaken) {
		alts, aerr := k.Alternatives(ctx, old.Service, old.Language, start)
		if aerr != nil {
			return Booking{}, nil, aerr
		}
		return Booking{}, alts, ErrSlotTaken
	}
	return Booking{}, nil, err
}

// Alternatives are up to Alternatives free slots, the first ones from
// near (after) wanted on, else the latest before it.
func (k *Booker) Alternatives(ctx context.Context, svc Service, lang string, wanted time.Time) ([]Slot, error) {
	free, err := k.FreeAll(ctx, svc, lang)
	if err != nil {
		return nil, err
	}
	i, _ := slices.BinarySearchFunc(free, wanted, func(s Slot, t time.Time) int { return s.Start.Compare(t) })
	after := free[i:]
	if len(after) >= Alternatives {
		return after[:Alternatives], nil
	}
	before := free[:i]
	from := max(0, len(before)-(Alternatives-len(after)))
	return append(append([]Slot(nil), before[from:]...), after...), nil
}

// Cancel cancels the client's booking if the deadline allows it.
func (k *Booker) Cancel(ctx context.Context, b Booking, clientID int64) (Booking, error) {
	if b.ClientID != clientID || b.Status != StatusBooked {
		return Booking{}, ErrNotFound
	}
	now := k.now()
	if now.After(k.policy().CancelUntil(b.Start)) {
		return Booking{}, ErrDeadlinePassed
	}
	return k.Store.Cancel(ctx, b.ID, clientID, now)
}

// ClientBooking returns the booking if it belongs to clientID, else
// ErrNotFound: a button carrying another client's booking id finds nothing.
func (k *Booker) ClientBooking(ctx context.Context, id, clientID int64) (Booking, error) {
	b, err := k.Store.Booking(ctx, id)
	if err != nil {
		return Booking{}, err
	}
	if b.ClientID != clientID || clientID == 0 {
		return Booking{}, ErrNotFound
	}
	return b, nil
}

func maxDate(a, b Date) Date {
	if a.After(b) {
		return a
	}
	return b
}

func minDate(a, b Date) Date {
	if a.Before(b) {
		return a
	}
	return b
}
