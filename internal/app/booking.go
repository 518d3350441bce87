package app

import (
	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/privacy"
)

// bookingPolicy turns the BOOKING_* settings into booking's rules; unset
// ones (a Config built in a test) take booking's defaults.
func bookingPolicy(cfg *config.Config) booking.Policy {
	c := cfg.Booking
	return booking.Policy{
		Location:       cfg.Location,
		HorizonDays:    c.HorizonDays,
		MinNotice:      c.MinNotice,
		CancelDeadline: c.CancelDeadline,
		MaxOpen:        c.MaxOpen,
		Reminders:      c.Reminders,
		Hold:           c.Hold,
	}.WithDefaults()
}

// wireBooking builds the booking store and registers what it keeps about
// people: their bookings in /mydata and /deletemydata, and the retention
// task that anonymises bookings BOOKING_RETENTION_DAYS after they ended.
func (a *App) wireBooking(opt Options) {
	a.Bookings = &postgres.BookingStore{Pool: opt.Pool, Policy: bookingPolicy(a.Config)}
	a.Privacy.Register("bookings", &postgres.BookingPrivacy{Store: a.Bookings, Now: opt.Now})
	a.Retention.Register(privacy.RetentionTask{Name: "bookings", Keep: a.Config.BookingRetention, Run: postgres.AnonymiseBookings(opt.Pool)})
}
