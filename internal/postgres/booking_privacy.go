package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/privacy"
)

// BookingPrivacy is what consultation booking keeps about a user: their
// bookings (first name, optional topic), waitlist entries and, for a
// counsellor, the link of their Telegram account.
type BookingPrivacy struct {
	Store *BookingStore
	Now   func() time.Time
}

var _ privacy.PersonalData = (*BookingPrivacy)(nil)

func (p *BookingPrivacy) now() time.Time {
	if p.Now == nil {
		return time.Now()
	}
	return p.Now()
}

// Export lists the user's bookings and waitlist entries.
func (p *BookingPrivacy) Export(ctx context.Context, userID int64) (map[string]any, error) {
	s := p.Store
	bookings, err := listBookings(ctx, s.Pool, `WHERE b.client_id = $1 AND b.status <> 'expired' ORDER BY lower(b.slot), b.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("export bookings: %w", err)
	}
	type bookingItem struct {
		Service    string    `json:"service"`
		Counsellor string    `json:"counsellor"`
		Start      time.Time `json:"start"`
		End        time.Time `json:"end"`
		Language   string    `json:"language"`
		Status     string    `json:"status"`
		FirstName  string    `json:"first_name"`
		Topic      string    `json:"topic,omitempty"`
		BookedAt   time.Time `json:"booked_at"`
	}
	out := map[string]any{}
	var items []bookingItem
	for _, b := range bookings {
		items = append(items, bookingItem{
			Service: b.Service.Name("de"), Counsellor: b.Counsellor.Name, Start: b.Start.UTC(), End: b.End.UTC(),
			Language: b.Language, Status: string(b.Status), FirstName: b.ClientName, Topic: b.Topic, BookedAt: b.CreatedAt.UTC(),
		})
	}
	if len(items) > 0 {
		out["bookings"] = items
	}
	entries, err := listWaitlist(ctx, s.Pool, `WHERE w.client_id = $1 ORDER BY w.created_at, w.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("export waitlist: %w", err)
	}
	type waitItem struct {
		Service  string `json:"service"`
		From     string `json:"from"`
		To       string `json:"to"`
		Language string `json:"language"`
		Status   string `json:"status"`
	}
	var waits []waitItem
	for _, e := range entries {
		waits = append(waits, waitItem{Service: e.Service.Name("de"), From: e.First.String(), To: e.Last.String(), Language: e.Language, Status: string(e.Status)})
	}
	if len(waits) > 0 {
		out["waitlist"] = waits
	}
	if c, err := s.CounsellorByUser(ctx, userID); err == nil {
		out["counsellor_account"] = map[string]any{"counsellor": c.Name}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Erase cancels the user's upcoming appointments (their counsellors are
// told, the slots go to the waitlist), gives up their holds, anonymises
// every booking, deletes their waitlist entries and unlinks a counsellor
// account. Running it again finds nothing left to do.
func (p *BookingPrivacy) Erase(ctx context.Context, userID int64) (privacy.Counts, error) {
	s := p.Store
	now := p.now()
	counts := privacy.Counts{}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// The waitlist first, so that no slot freed below is offered to the user.
		tag, err := tx.Exec(ctx, `DELETE FROM booking_waitlist WHERE client_id = $1`, userID)
		if err != nil {
			return fmt.Errorf("erase waitlist: %w", err)
		}
		if n := int(tag.RowsAffected()); n > 0 {
			counts["waitlist"] = n
		}
		active, err := listBookings(ctx, tx, `WHERE b.client_id = $1 AND b.status IN ('booked', 'held') AND lower(b.slot) > $2 ORDER BY b.id FOR UPDATE OF b`, userID, now)
		if err != nil {
			return err
		}
		for _, b := range active {
			if b.Status == booking.StatusHeld {
				if err := s.release(ctx, tx, b, now, false); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE bookings SET status = 'cancelled', cancelled_at = $2, cancelled_by = 'client' WHERE id = $1`, b.ID, now); err != nil {
				return fmt.Errorf("erase bookings: %w", err)
			}
			if _, err := CancelNotifications(ctx, tx, booking.ReminderPrefix(b.ID)); err != nil {
				return err
			}
			b.Status = booking.StatusCancelled
			if n, ok := booking.CounsellorNotice(b, booking.NoticeCancelled, 0, now); ok {
				if err := ScheduleNotification(ctx, tx, n); err != nil {
					return err
				}
			}
			if err := s.offerFreed(ctx, tx, b, now); err != nil {
				return err
			}
			counts["bookings_cancelled"]++
		}
		tag, err = tx.Exec(ctx, `
			UPDATE bookings SET client_id = NULL, client_name = '', topic = '', anonymised_at = $2
			 WHERE client_id = $1 AND status <> 'held'`, userID, now)
		if err != nil {
			return fmt.Errorf("erase bookings: %w", err)
		}
		if n := int(tag.RowsAffected()); n > 0 {
			counts["bookings_anonymised"] = n
		}
		if _, err := tx.Exec(ctx, `UPDATE counsellors SET user_id = NULL, updated_at = now() WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("erase counsellor link: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE counsellor_invites SET used_by = NULL WHERE used_by = $1`, userID); err != nil {
			return fmt.Errorf("erase counsellor invite: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}
