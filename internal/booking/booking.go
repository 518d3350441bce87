// Package booking is consultation booking: services (kinds of
// consultation), counsellors with weekly hours and exceptions, the free
// slots computed from them, bookings, and the waitlist.
//
// It holds the domain types, the slot generation (pure, with an injected
// clock, correct across daylight-saving changes), the Booker that the bot
// talks to, and the Store interface implemented in internal/postgres.
// No double booking is possible: PostgreSQL refuses overlapping active
// bookings of a counsellor or of a client (exclusion constraints), and the
// stores map that refusal to ErrSlotTaken or ErrOverlap.
package booking

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// Domain errors. The bot maps each to a localized message.
var (
	// ErrNotFound: no such service, booking, counsellor or waitlist entry,
	// or not one of the caller's.
	ErrNotFound = errors.New("booking: not found")
	// ErrSlotTaken: the slot exists but somebody else was faster.
	ErrSlotTaken = errors.New("booking: slot just taken")
	// ErrInvalidSlot: not a bookable slot of this service, counsellor and
	// language (in the past, too soon, beyond the horizon, off the grid).
	ErrInvalidSlot = errors.New("booking: not a bookable slot")
	// ErrOverlap: the client already has an appointment at that time.
	ErrOverlap = errors.New("booking: client has an overlapping appointment")
	// ErrTooManyBookings: the client has the maximum of open bookings.
	ErrTooManyBookings = errors.New("booking: too many open bookings")
	// ErrDeadlinePassed: too late to cancel or reschedule in the chat.
	ErrDeadlinePassed = errors.New("booking: cancellation deadline passed")
	// ErrHoldExpired: the reserved slot of a waitlist offer was not taken in time.
	ErrHoldExpired = errors.New("booking: hold expired")
	// ErrAlreadyWaiting: the client is already on the waitlist of the service.
	ErrAlreadyWaiting = errors.New("booking: already on the waitlist")
	// ErrTooEarly: an outcome (attended, no-show) before the appointment began.
	ErrTooEarly = errors.New("booking: appointment has not started")
	// ErrInviteInvalid: unknown, used or expired invite token.
	ErrInviteInvalid = errors.New("booking: invite invalid")
)

// Status of a booking.
type Status string

// Booking statuses.
const (
	StatusHeld      Status = "held" // reserved for a waitlisted client until HoldUntil
	StatusBooked    Status = "booked"
	StatusCancelled Status = "cancelled"
	StatusAttended  Status = "attended"
	StatusNoShow    Status = "no_show"
	StatusExpired   Status = "expired" // a hold that was not taken
)

// Service is a kind of consultation.
type Service struct {
	ID              int64
	ExternalID      string
	OrganisationID  int64  // 0: none
	OfferExternalID string // the offer of the offer directory, "" if none
	Names           map[string]string
	Descriptions    map[string]string
	Duration        time.Duration
	Languages       []string // languages it can be held in
	Venue           Venue
	Phone           string
	VideoURL        string
}

// Venue is where a service takes place.
type Venue struct {
	Name, Address string
	Latitude      float64
	Longitude     float64
	HasLocation   bool // Latitude/Longitude are set
}

// Name is the service's name in lang, else German, English or any.
func (s Service) Name(lang string) string { return pick(s.Names, lang) }

// Description is the service's description in lang, else German, English or any.
func (s Service) Description(lang string) string { return pick(s.Descriptions, lang) }

// HeldIn reports whether the service can be held in lang.
func (s Service) HeldIn(lang string) bool { return slices.Contains(s.Languages, lang) }

func pick(m map[string]string, lang string) string {
	for _, l := range []string{lang, "de", "en"} {
		if v := strings.TrimSpace(m[l]); v != "" {
			return v
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v := strings.TrimSpace(m[k]); v != "" {
			return v
		}
	}
	return ""
}

// Counsellor gives consultations.
type Counsellor struct {
	ID         int64
	ExternalID string
	Name       string // shown to clients
	UserID     int64  // Telegram account, 0 until the invite was used
	Languages  []string
	Buffer     time.Duration // kept free after each appointment
	Phone      string
	Rules      []Rule
}

// Speaks reports whether the counsellor can consult in lang.
func (c Counsellor) Speaks(lang string) bool { return slices.Contains(c.Languages, lang) }

// Rule is a weekly opening: every Weekday from From to To, local time.
type Rule struct {
	Weekday  time.Weekday
	From, To Clock
	Location string
}

// ExceptionKind says whether an exception removes or adds hours.
type ExceptionKind string

// Exception kinds.
const (
	Absent ExceptionKind = "absent" // absence, holiday, time blocked in the chat
	Extra  ExceptionKind = "extra"  // extra hours on one date
)

// Exception changes the weekly hours on one date.
type Exception struct {
	CounsellorID int64 // 0: everyone (a holiday)
	Day          Date
	AllDay       bool // only for Absent
	From, To     Clock
	Kind         ExceptionKind
	Location     string
}

// Busy is time in which a counsellor has an appointment, buffer included.
type Busy struct {
	CounsellorID int64
	BookingID    int64
	Start, End   time.Time
}

// Slot is a bookable appointment time of one counsellor.
type Slot struct {
	CounsellorID int64
	Start, End   time.Time
	Location     string
}

// Booking is an appointment (or a hold of one for a waitlisted client).
type Booking struct {
	ID           int64
	ServiceID    int64
	CounsellorID int64
	ClientID     int64 // 0 once anonymised
	ClientName   string
	Language     string
	Topic        string
	Start, End   time.Time
	Status       Status
	HoldUntil    time.Time
	WaitlistID   int64
	Rescheduled  int64 // id of the booking this one replaced, 0 if none
	CreatedAt    time.Time
	CancelledAt  time.Time

	// Filled by the stores' reads for showing the booking.
	Service    Service
	Counsellor Counsellor
}

// Active reports whether the booking still takes its slot as an appointment.
func (b Booking) Active() bool { return b.Status == StatusBooked }

// WaitlistStatus is where a waitlist entry stands.
type WaitlistStatus string

// Waitlist statuses.
const (
	Waiting WaitlistStatus = "waiting"
	Offered WaitlistStatus = "offered"
	Booked  WaitlistStatus = "booked"
	Left    WaitlistStatus = "left"
)

// WaitlistEntry is a client waiting for a slot of a service in a date range.
type WaitlistEntry struct {
	ID          int64
	ServiceID   int64
	ClientID    int64
	ClientName  string
	Language    string
	First, Last Date
	Status      WaitlistStatus
	CreatedAt   time.Time

	Service Service // filled by reads
}

// Policy are the rules of booking, from the configuration.
type Policy struct {
	Location       *time.Location  // time zone of the weekly hours (Europe/Berlin)
	HorizonDays    int             // bookable from today through today + HorizonDays
	MinNotice      time.Duration   // earliest bookable start after now
	CancelDeadline time.Duration   // cancel/reschedule in the chat until this long before
	MaxOpen        int             // open bookings per client
	Reminders      []time.Duration // reminders this long before the start
	Hold           time.Duration   // how long a freed slot is reserved for a waitlisted client
	TopicMax       int             // characters of the optional topic
}

// DefaultPolicy is the policy the issue asks for: 28 days ahead, 2 h notice
// and cancellation deadline, 2 open bookings, reminders 24 h and 1 h
// before, 15 min holds. (How long past bookings are kept is the
// retention job's: BOOKING_RETENTION_DAYS, internal/privacy.)
func DefaultPolicy(loc *time.Location) Policy {
	if loc == nil {
		loc = berlin()
	}
	return Policy{
		Location:       loc,
		HorizonDays:    28,
		MinNotice:      2 * time.Hour,
		CancelDeadline: 2 * time.Hour,
		MaxOpen:        2,
		Reminders:      []time.Duration{24 * time.Hour, time.Hour},
		Hold:           15 * time.Minute,
		TopicMax:       200,
	}
}

// WithDefaults fills unset fields from DefaultPolicy.
func (p Policy) WithDefaults() Policy {
	d := DefaultPolicy(p.Location)
	if p.Location == nil {
		p.Location = d.Location
	}
	if p.HorizonDays <= 0 {
		p.HorizonDays = d.HorizonDays
	}
	if p.MinNotice <= 0 {
		p.MinNotice = d.MinNotice
	}
	if p.CancelDeadline <= 0 {
		p.CancelDeadline = d.CancelDeadline
	}
	if p.MaxOpen <= 0 {
		p.MaxOpen = d.MaxOpen
	}
	if p.Reminders == nil {
		p.Reminders = d.Reminders
	}
	if p.Hold <= 0 {
		p.Hold = d.Hold
	}
	if p.TopicMax <= 0 {
		p.TopicMax = d.TopicMax
	}
	return p
}

// CancelUntil is the last moment a booking starting at start can be
// cancelled or moved in the chat.
func (p Policy) CancelUntil(start time.Time) time.Time { return start.Add(-p.CancelDeadline) }

func berlin() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return time.UTC
	}
	return loc
}
