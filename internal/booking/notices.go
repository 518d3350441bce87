package booking

import (
	"fmt"
	"strconv"
	"time"

	"github.com/netzbot/netzbot/internal/notify"
)

// Notification kinds of booking; the bot has a renderer for each.
const (
	KindReminder     = "booking_reminder"      // to the client, before the appointment
	KindNotice       = "booking_notice"        // to the counsellor: new, cancelled, moved
	KindOffer        = "booking_offer"         // to a waitlisted client: a freed slot is held for them
	KindOfferExpired = "booking_offer_expired" // to a waitlisted client whose hold ran out
)

// Events of a counsellor notice (Data["event"]).
const (
	NoticeNew       = "new"
	NoticeCancelled = "cancelled"
	NoticeMoved     = "moved"
)

// Keys are "booking:<id>:…": everything of a booking can be cancelled by
// the prefix "booking:<id>:".

// ReminderPrefix is the key prefix of a booking's reminders.
func ReminderPrefix(bookingID int64) string { return fmt.Sprintf("booking:%d:reminder:", bookingID) }

// ReminderNotices are the reminders of b that are still ahead at now, each
// due its offset before the start and pointless once it began.
func (p Policy) ReminderNotices(b Booking, now time.Time) []notify.Notification {
	var out []notify.Notification
	for _, before := range p.Reminders {
		due := b.Start.Add(-before)
		if before <= 0 || due.Before(now) {
			continue
		}
		out = append(out, notify.Notification{
			Kind:      KindReminder,
			UserID:    b.ClientID,
			Key:       ReminderPrefix(b.ID) + offsetName(before),
			Data:      map[string]string{"booking": id(b.ID), "start": strconv.FormatInt(b.Start.Unix(), 10)},
			DueAt:     due,
			ExpiresAt: b.Start,
		})
	}
	return out
}

// CounsellorNotice tells the counsellor of b about event, at once; false
// if the counsellor has not linked a Telegram account yet. For NoticeMoved,
// previous is the booking b replaced.
func CounsellorNotice(b Booking, event string, previous int64, now time.Time) (notify.Notification, bool) {
	uid := b.Counsellor.UserID
	if uid == 0 {
		return notify.Notification{}, false
	}
	data := map[string]string{"booking": id(b.ID), "event": event}
	if previous != 0 {
		data["previous"] = id(previous)
	}
	return notify.Notification{
		Kind:   KindNotice,
		UserID: uid,
		Key:    fmt.Sprintf("booking:%d:notice:%s:%d", b.ID, event, uid),
		Data:   data,
		DueAt:  now,
	}, true
}

// OfferNotice offers a held slot to its waitlisted client until the hold ends.
func OfferNotice(hold Booking, now time.Time) notify.Notification {
	return notify.Notification{
		Kind:      KindOffer,
		UserID:    hold.ClientID,
		Key:       fmt.Sprintf("booking:%d:offer", hold.ID),
		Data:      map[string]string{"booking": id(hold.ID)},
		DueAt:     now,
		ExpiresAt: hold.HoldUntil,
	}
}

// OfferExpiredNotice tells a waitlisted client that their hold ran out.
func OfferExpiredNotice(hold Booking, now time.Time) notify.Notification {
	return notify.Notification{
		Kind:   KindOfferExpired,
		UserID: hold.ClientID,
		Key:    fmt.Sprintf("booking:%d:offer:expired", hold.ID),
		Data:   map[string]string{"booking": id(hold.ID)},
		DueAt:  now,
	}
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// offsetName is "24h", "1h", "30m", "1h30m".
func offsetName(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case m == 0:
		return fmt.Sprintf("%dh", h)
	case h == 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}
