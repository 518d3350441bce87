package booking

import (
	"context"
	"time"
)

// Request asks for one appointment.
type Request struct {
	ServiceID    int64
	CounsellorID int64
	ClientID     int64
	ClientName   string // the first name the client chose on Telegram
	Language     string
	Topic        string
	Start, End   time.Time
	Now          time.Time
}

// Store keeps services, counsellors, bookings and the waitlist.
// Implemented in internal/postgres. Every change of a booking schedules or
// cancels its notifications (reminders, counsellor notices, waitlist
// offers) in the same transaction.
type Store interface {
	// Services lists the active services in their configured order.
	Services(ctx context.Context) ([]Service, error)
	// Service returns an active service or ErrNotFound.
	Service(ctx context.Context, id int64) (Service, error)
	// ServiceForOffer is the service linked to an offer of the offer
	// directory, or ErrNotFound.
	ServiceForOffer(ctx context.Context, offerExternalID string) (Service, error)
	// Availability returns the active counsellors giving the service who
	// speak lang, with their rules, exceptions and busy times on the days
	// first through last.
	Availability(ctx context.Context, serviceID int64, lang string, first, last Date) (Availability, error)

	// Book stores a booking: ErrSlotTaken if the counsellor is busy then
	// (enforced by the database), ErrOverlap if the client is,
	// ErrTooManyBookings at the open-bookings limit.
	Book(ctx context.Context, r Request) (Booking, error)
	// Reschedule moves a client's booking to r in one transaction: the new
	// booking is made and the old one released, or neither.
	// ErrDeadlinePassed after the cancellation deadline.
	Reschedule(ctx context.Context, bookingID int64, r Request) (Booking, error)
	// Cancel cancels a client's booking; ErrDeadlinePassed after the
	// deadline. The freed slot is offered to the waitlist.
	Cancel(ctx context.Context, bookingID, clientID int64, now time.Time) (Booking, error)
	// Booking returns any booking with its service and counsellor.
	Booking(ctx context.Context, id int64) (Booking, error)
	// Upcoming lists a client's booked appointments that have not ended.
	Upcoming(ctx context.Context, clientID int64, now time.Time) ([]Booking, error)
	// Confirm records that the client said they will come.
	Confirm(ctx context.Context, bookingID, clientID int64, now time.Time) error

	// JoinWaitlist adds a client to a service's waitlist; ErrAlreadyWaiting.
	JoinWaitlist(ctx context.Context, e WaitlistEntry) (WaitlistEntry, error)
	// LeaveWaitlist takes a client off a waitlist.
	LeaveWaitlist(ctx context.Context, entryID, clientID int64, now time.Time) error
	// ClientWaitlist lists a client's current waitlist entries.
	ClientWaitlist(ctx context.Context, clientID int64, today Date) ([]WaitlistEntry, error)
	// TakeHold turns a slot held for the client into their booking;
	// ErrHoldExpired once the hold ran out.
	TakeHold(ctx context.Context, holdID, clientID int64, now time.Time) (Booking, error)
	// DeclineHold gives a held slot up; it is offered to the next client.
	DeclineHold(ctx context.Context, holdID, clientID int64, now time.Time) error
	// ExpireHolds ends the holds that ran out at now, tells their clients
	// and offers each slot to the next waiting client.
	ExpireHolds(ctx context.Context, now time.Time) (int, error)

	// CounsellorByUser is the counsellor linked to a Telegram account.
	CounsellorByUser(ctx context.Context, userID int64) (Counsellor, error)
	// Agenda lists a counsellor's appointments overlapping [from, to).
	Agenda(ctx context.Context, counsellorID int64, from, to time.Time) ([]Booking, error)
	// SetOutcome marks an appointment that has begun attended or no-show.
	SetOutcome(ctx context.Context, bookingID, counsellorID int64, s Status, now time.Time) (Booking, error)
	// Block takes time (allDay, or from-to) on day out of the counsellor's
	// hours and returns how many booked appointments lie in it.
	Block(ctx context.Context, counsellorID int64, day Date, allDay bool, from, to Clock) (int, error)
	// CounsellorWaitlist lists who waits for the counsellor's services.
	CounsellorWaitlist(ctx context.Context, counsellorID int64, today Date) ([]WaitlistEntry, error)
	// CreateInvite stores the hash of an invite token for a counsellor.
	CreateInvite(ctx context.Context, counsellorExternalID string, tokenHash []byte, expires time.Time) (Counsellor, error)
	// AcceptInvite links the Telegram account to the invited counsellor
	// and gives it the counsellor role; ErrInviteInvalid.
	AcceptInvite(ctx context.Context, tokenHash []byte, userID int64, now time.Time) (Counsellor, error)

	// Import creates or updates services, counsellors and their hours.
	Import(ctx context.Context, c Catalog) (ImportStats, error)
	// Anonymise clears the client (id, name, topic) of bookings that ended
	// before cutoff and deletes waitlist entries whose dates ended before
	// it; the daily retention job calls it (internal/privacy).
	Anonymise(ctx context.Context, cutoff time.Time) (int, error)
}
