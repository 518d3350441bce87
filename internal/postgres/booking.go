package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/booking"
)

// BookingStore keeps consultation booking (migration 00005): services,
// counsellors, hours, bookings and the waitlist. Double bookings are
// refused by the database itself (exclusion constraints on bookings); a
// booking and its notifications are committed in one transaction.
type BookingStore struct {
	Pool   *pgxpool.Pool
	Policy booking.Policy
}

var _ booking.Store = (*BookingStore)(nil)

// querier is a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (s *BookingStore) policy() booking.Policy { return s.Policy.WithDefaults() }

// inTx runs fn in a transaction and commits if it returns nil. Two
// bookings racing for overlapping times can deadlock on the exclusion
// constraints (each waits for the other's uncommitted row); PostgreSQL
// then aborts one, which is run again and sees the other's booking.
func (s *BookingStore) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if err = s.tryTx(ctx, fn); !retryableTx(err) {
			return err
		}
	}
	return err
}

func (s *BookingStore) tryTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// retryableTx reports a deadlock or serialization failure.
func retryableTx(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "40P01" || pg.Code == "40001")
}

// conflict maps the exclusion constraints of bookings to domain errors.
func conflict(err error) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23P01" {
		switch pg.ConstraintName {
		case "bookings_no_double_booking":
			return booking.ErrSlotTaken
		case "bookings_client_no_overlap":
			return booking.ErrOverlap
		}
	}
	return err
}

// ---- services --------------------------------------------------------------

const serviceColumns = `s.id, s.external_id, coalesce(s.organisation_id, 0), coalesce(s.offer_external_id, ''),
	s.name, s.description, s.duration_minutes, s.languages, s.venue_name, s.venue_address,
	s.latitude, s.longitude, s.phone, s.video_url`

func serviceDest(sv *booking.Service, minutes *int, lat, lon **float64) []any {
	return []any{&sv.ID, &sv.ExternalID, &sv.OrganisationID, &sv.OfferExternalID, &sv.Names, &sv.Descriptions,
		minutes, &sv.Languages, &sv.Venue.Name, &sv.Venue.Address, lat, lon, &sv.Phone, &sv.VideoURL}
}

func finishService(sv *booking.Service, minutes int, lat, lon *float64) {
	sv.Duration = time.Duration(minutes) * time.Minute
	if lat != nil && lon != nil {
		sv.Venue.Latitude, sv.Venue.Longitude, sv.Venue.HasLocation = *lat, *lon, true
	}
}

func scanService(row pgx.Row) (booking.Service, error) {
	var sv booking.Service
	var minutes int
	var lat, lon *float64
	if err := row.Scan(serviceDest(&sv, &minutes, &lat, &lon)...); err != nil {
		return booking.Service{}, err
	}
	finishService(&sv, minutes, lat, lon)
	return sv, nil
}

// Services lists the active services in their configured order.
func (s *BookingStore) Services(ctx context.Context) ([]booking.Service, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+serviceColumns+` FROM booking_services s WHERE s.active ORDER BY s.position, s.id`)
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Service, error) { return scanService(r) })
	if err != nil {
		return nil, fmt.Errorf("list services: %w", err)
	}
	return out, nil
}

// Service returns an active service.
func (s *BookingStore) Service(ctx context.Context, id int64) (booking.Service, error) {
	sv, err := scanService(s.Pool.QueryRow(ctx, `SELECT `+serviceColumns+` FROM booking_services s WHERE s.id = $1 AND s.active`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return booking.Service{}, booking.ErrNotFound
	}
	if err != nil {
		return booking.Service{}, fmt.Errorf("get service: %w", err)
	}
	return sv, nil
}

// ServiceForOffer is the active service linked to an offer of the offer directory.
func (s *BookingStore) ServiceForOffer(ctx context.Context, offerExternalID string) (booking.Service, error) {
	sv, err := scanService(s.Pool.QueryRow(ctx, `
		SELECT `+serviceColumns+` FROM booking_services s
		 WHERE s.offer_external_id = $1 AND s.active ORDER BY s.position, s.id LIMIT 1`, offerExternalID))
	if errors.Is(err, pgx.ErrNoRows) {
		return booking.Service{}, booking.ErrNotFound
	}
	if err != nil {
		return booking.Service{}, fmt.Errorf("service for offer: %w", err)
	}
	return sv, nil
}

// ---- availability ----------------------------------------------------------

const counsellorColumns = `c.id, c.external_id, c.display_name, coalesce(c.user_id, 0), c.languages, c.buffer_minutes, c.phone`

func scanCounsellor(row pgx.Row) (booking.Counsellor, error) {
	var c booking.Counsellor
	var buffer int
	if err := row.Scan(&c.ID, &c.ExternalID, &c.Name, &c.UserID, &c.Languages, &buffer, &c.Phone); err != nil {
		return booking.Counsellor{}, err
	}
	c.Buffer = time.Duration(buffer) * time.Minute
	return c, nil
}

// Availability returns the active counsellors giving the service in lang
// ("" for any), their weekly rules, exceptions and busy times.
func (s *BookingStore) Availability(ctx context.Context, serviceID int64, lang string, first, last booking.Date) (booking.Availability, error) {
	return s.availability(ctx, s.Pool, serviceID, lang, 0, first, last)
}

// availability on q; counsellorID > 0 narrows it to one counsellor.
func (s *BookingStore) availability(ctx context.Context, q querier, serviceID int64, lang string, counsellorID int64, first, last booking.Date) (booking.Availability, error) {
	var a booking.Availability
	rows, err := q.Query(ctx, `
		SELECT `+counsellorColumns+`
		  FROM counsellors c JOIN counsellor_services cs ON cs.counsellor_id = c.id
		 WHERE cs.service_id = $1 AND c.active
		   AND ($2 = '' OR $2 = ANY (c.languages))
		   AND ($3 = 0 OR c.id = $3)
		 ORDER BY c.id`, serviceID, lang, counsellorID)
	if err != nil {
		return a, fmt.Errorf("availability: %w", err)
	}
	if a.Counsellors, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Counsellor, error) { return scanCounsellor(r) }); err != nil {
		return a, fmt.Errorf("availability: %w", err)
	}
	if len(a.Counsellors) == 0 {
		return a, nil
	}
	ids := make([]int64, len(a.Counsellors))
	byID := map[int64]int{}
	for i, c := range a.Counsellors {
		ids[i], byID[c.ID] = c.ID, i
	}

	rows, err = q.Query(ctx, `
		SELECT counsellor_id, weekday, (extract(epoch FROM starts) / 60)::int, (extract(epoch FROM ends) / 60)::int, location
		  FROM availability_rules WHERE counsellor_id = ANY ($1) ORDER BY counsellor_id, weekday, starts`, ids)
	if err != nil {
		return a, fmt.Errorf("availability rules: %w", err)
	}
	var cid int64
	var wd int
	var r booking.Rule
	if _, err := pgx.ForEachRow(rows, []any{&cid, &wd, &r.From, &r.To, &r.Location}, func() error {
		r.Weekday = time.Weekday(wd % 7) // ISO 7 = Sunday = 0
		c := &a.Counsellors[byID[cid]]
		c.Rules = append(c.Rules, r)
		return nil
	}); err != nil {
		return a, fmt.Errorf("availability rules: %w", err)
	}

	rows, err = q.Query(ctx, `
		SELECT coalesce(counsellor_id, 0), day, starts IS NULL,
		       coalesce((extract(epoch FROM starts) / 60)::int, 0), coalesce((extract(epoch FROM ends) / 60)::int, 0),
		       kind, location
		  FROM availability_exceptions
		 WHERE (counsellor_id = ANY ($1) OR counsellor_id IS NULL) AND day BETWEEN $2::date AND $3::date
		 ORDER BY day, id`, ids, first.String(), last.String())
	if err != nil {
		return a, fmt.Errorf("availability exceptions: %w", err)
	}
	var e booking.Exception
	var day time.Time
	var kind string
	if _, err := pgx.ForEachRow(rows, []any{&e.CounsellorID, &day, &e.AllDay, &e.From, &e.To, &kind, &e.Location}, func() error {
		e.Day, e.Kind = booking.Date{Year: day.Year(), Month: day.Month(), Day: day.Day()}, booking.ExceptionKind(kind)
		a.Exceptions = append(a.Exceptions, e)
		return nil
	}); err != nil {
		return a, fmt.Errorf("availability exceptions: %w", err)
	}

	loc := s.policy().Location
	rows, err = q.Query(ctx, `
		SELECT counsellor_id, id, lower(busy), upper(busy)
		  FROM bookings
		 WHERE counsellor_id = ANY ($1) AND status IN ('held', 'booked', 'attended', 'no_show')
		   AND busy && tstzrange($2, $3)`, ids, first.Start(loc), last.AddDays(1).Start(loc))
	if err != nil {
		return a, fmt.Errorf("availability bookings: %w", err)
	}
	var b booking.Busy
	if _, err := pgx.ForEachRow(rows, []any{&b.CounsellorID, &b.BookingID, &b.Start, &b.End}, func() error {
		a.Busy = append(a.Busy, b)
		return nil
	}); err != nil {
		return a, fmt.Errorf("availability bookings: %w", err)
	}
	return a, nil
}

// ---- bookings --------------------------------------------------------------

const bookingColumns = `b.id, b.service_id, b.counsellor_id, coalesce(b.client_id, 0), b.client_name, b.language, b.topic,
	lower(b.slot), upper(b.slot), b.status, b.hold_until, coalesce(b.waitlist_id, 0), coalesce(b.rescheduled_from, 0),
	b.created_at, b.cancelled_at, ` + serviceColumns + `, ` + counsellorColumns

const bookingFrom = ` FROM bookings b JOIN booking_services s ON s.id = b.service_id JOIN counsellors c ON c.id = b.counsellor_id `

func scanBooking(row pgx.Row) (booking.Booking, error) {
	var b booking.Booking
	var status string
	var hold, cancelled *time.Time
	var minutes, buffer int
	var lat, lon *float64
	dest := []any{&b.ID, &b.ServiceID, &b.CounsellorID, &b.ClientID, &b.ClientName, &b.Language, &b.Topic,
		&b.Start, &b.End, &status, &hold, &b.WaitlistID, &b.Rescheduled, &b.CreatedAt, &cancelled}
	dest = append(dest, serviceDest(&b.Service, &minutes, &lat, &lon)...)
	c := &b.Counsellor
	dest = append(dest, &c.ID, &c.ExternalID, &c.Name, &c.UserID, &c.Languages, &buffer, &c.Phone)
	if err := row.Scan(dest...); err != nil {
		return booking.Booking{}, err
	}
	b.Status = booking.Status(status)
	if hold != nil {
		b.HoldUntil = *hold
	}
	if cancelled != nil {
		b.CancelledAt = *cancelled
	}
	finishService(&b.Service, minutes, lat, lon)
	c.Buffer = time.Duration(buffer) * time.Minute
	return b, nil
}

func getBooking(ctx context.Context, q querier, id int64, forUpdate bool) (booking.Booking, error) {
	lock := ""
	if forUpdate {
		lock = " FOR UPDATE OF b"
	}
	b, err := scanBooking(q.QueryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = $1`+lock, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return booking.Booking{}, booking.ErrNotFound
	}
	if err != nil {
		return booking.Booking{}, fmt.Errorf("get booking: %w", err)
	}
	return b, nil
}

func listBookings(ctx context.Context, q querier, where string, args ...any) ([]booking.Booking, error) {
	rows, err := q.Query(ctx, `SELECT `+bookingColumns+bookingFrom+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Booking, error) { return scanBooking(r) })
	if err != nil {
		return nil, fmt.Errorf("list bookings: %w", err)
	}
	return out, nil
}

// Booking returns a booking with its service and counsellor.
func (s *BookingStore) Booking(ctx context.Context, id int64) (booking.Booking, error) {
	return getBooking(ctx, s.Pool, id, false)
}

// row is what insertRow writes besides the request.
type row struct {
	status          booking.Status
	holdUntil       *time.Time
	waitlistID      *int64
	rescheduledFrom *int64
}

// insertRow writes a booking (or hold). The exclusion constraints decide
// whether the time is free: ErrSlotTaken or ErrOverlap otherwise. The
// counsellor must give the service (ErrInvalidSlot).
func insertRow(ctx context.Context, q querier, r booking.Request, w row) (int64, error) {
	var buffer int
	err := q.QueryRow(ctx, `
		SELECT c.buffer_minutes FROM counsellors c JOIN counsellor_services cs ON cs.counsellor_id = c.id
		 WHERE c.id = $1 AND cs.service_id = $2 AND c.active`, r.CounsellorID, r.ServiceID).Scan(&buffer)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, booking.ErrInvalidSlot
	}
	if err != nil {
		return 0, fmt.Errorf("insert booking: %w", err)
	}
	if !r.Start.Before(r.End) {
		return 0, booking.ErrInvalidSlot
	}
	busyEnd := r.End.Add(time.Duration(buffer) * time.Minute)
	// Attempts on the same slot queue here instead of deadlocking on the
	// exclusion constraints: the loser waits for the winner's commit and
	// then meets its booking at once.
	if _, err := q.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int4, $2::int4)`, int32(r.CounsellorID), int32(r.Start.Unix()/60)); err != nil {
		return 0, fmt.Errorf("insert booking: %w", err)
	}
	var id int64
	err = q.QueryRow(ctx, `
		INSERT INTO bookings (service_id, counsellor_id, client_id, client_name, language, topic,
		                      slot, busy, status, hold_until, waitlist_id, rescheduled_from, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, tstzrange($7, $8, '[)'), tstzrange($7, $9, '[)'), $10, $11, $12, $13, $14)
		RETURNING id`,
		r.ServiceID, r.CounsellorID, r.ClientID, r.ClientName, r.Language, r.Topic,
		r.Start, r.End, busyEnd, string(w.status), w.holdUntil, w.waitlistID, w.rescheduledFrom, r.Now).Scan(&id)
	if err != nil {
		if err = conflict(err); errors.Is(err, booking.ErrSlotTaken) || errors.Is(err, booking.ErrOverlap) {
			return 0, err
		}
		return 0, fmt.Errorf("insert booking: %w", err)
	}
	return id, nil
}

// lockClient serialises one client's bookings, so that counting their open
// bookings and adding one cannot interleave with another attempt of theirs.
func lockClient(ctx context.Context, q querier, clientID int64) error {
	var one int
	err := q.QueryRow(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, clientID).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("booking for unknown user %d", clientID)
	}
	return err
}

func (s *BookingStore) checkOpen(ctx context.Context, q querier, clientID int64, now time.Time) error {
	var open int
	if err := q.QueryRow(ctx, `
		SELECT count(*) FROM bookings WHERE client_id = $1 AND status = 'booked' AND upper(slot) > $2`,
		clientID, now).Scan(&open); err != nil {
		return fmt.Errorf("count open bookings: %w", err)
	}
	if open >= s.policy().MaxOpen {
		return booking.ErrTooManyBookings
	}
	return nil
}

// Book stores a booking with its reminders and the counsellor's notice.
func (s *BookingStore) Book(ctx context.Context, r booking.Request) (booking.Booking, error) {
	var b booking.Booking
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockClient(ctx, tx, r.ClientID); err != nil {
			return err
		}
		if err := s.checkOpen(ctx, tx, r.ClientID, r.Now); err != nil {
			return err
		}
		id, err := insertRow(ctx, tx, r, row{status: booking.StatusBooked})
		if err != nil {
			return err
		}
		if b, err = getBooking(ctx, tx, id, false); err != nil {
			return err
		}
		return s.scheduleBooked(ctx, tx, b, booking.NoticeNew, 0, r.Now)
	})
	if err != nil {
		return booking.Booking{}, err
	}
	return b, nil
}

// scheduleBooked schedules the reminders of b and tells its counsellor.
func (s *BookingStore) scheduleBooked(ctx context.Context, tx pgx.Tx, b booking.Booking, event string, previous int64, now time.Time) error {
	for _, n := range s.policy().ReminderNotices(b, now) {
		if err := ScheduleNotification(ctx, tx, n); err != nil {
			return err
		}
	}
	if n, ok := booking.CounsellorNotice(b, event, previous, now); ok {
		return ScheduleNotification(ctx, tx, n)
	}
	return nil
}

// ownBooked locks the client's booked appointment and checks the deadline.
func (s *BookingStore) ownBooked(ctx context.Context, tx pgx.Tx, id, clientID int64, now time.Time) (booking.Booking, error) {
	b, err := getBooking(ctx, tx, id, true)
	if err != nil {
		return b, err
	}
	if b.ClientID != clientID || clientID == 0 || b.Status != booking.StatusBooked {
		return b, booking.ErrNotFound
	}
	if now.After(s.policy().CancelUntil(b.Start)) {
		return b, booking.ErrDeadlinePassed
	}
	return b, nil
}

// Cancel cancels a client's booking, cancels its reminders, tells the
// counsellor and offers the slot to the waitlist, in one transaction.
func (s *BookingStore) Cancel(ctx context.Context, id, clientID int64, now time.Time) (booking.Booking, error) {
	var b booking.Booking
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if b, err = s.ownBooked(ctx, tx, id, clientID, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE bookings SET status = 'cancelled', cancelled_at = $2, cancelled_by = 'client' WHERE id = $1`, id, now); err != nil {
			return fmt.Errorf("cancel booking: %w", err)
		}
		b.Status, b.CancelledAt = booking.StatusCancelled, now
		if _, err := CancelNotifications(ctx, tx, booking.ReminderPrefix(id)); err != nil {
			return err
		}
		if n, ok := booking.CounsellorNotice(b, booking.NoticeCancelled, 0, now); ok {
			if err := ScheduleNotification(ctx, tx, n); err != nil {
				return err
			}
		}
		return s.offerFreed(ctx, tx, b, now)
	})
	if err != nil {
		return booking.Booking{}, err
	}
	return b, nil
}

// Reschedule books r and releases the old booking in one transaction.
func (s *BookingStore) Reschedule(ctx context.Context, oldID int64, r booking.Request) (booking.Booking, error) {
	var nb booking.Booking
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		old, err := s.ownBooked(ctx, tx, oldID, r.ClientID, r.Now)
		if err != nil {
			return err
		}
		if r.ServiceID != old.ServiceID || r.Language != old.Language {
			return booking.ErrInvalidSlot
		}
		// Released first, so that the new time may overlap the old one.
		if _, err := tx.Exec(ctx, `
			UPDATE bookings SET status = 'cancelled', cancelled_at = $2, cancelled_by = 'rescheduled' WHERE id = $1`, oldID, r.Now); err != nil {
			return fmt.Errorf("reschedule: %w", err)
		}
		old.Status = booking.StatusCancelled
		id, err := insertRow(ctx, tx, r, row{status: booking.StatusBooked, rescheduledFrom: &oldID})
		if err != nil {
			return err
		}
		if nb, err = getBooking(ctx, tx, id, false); err != nil {
			return err
		}
		if _, err := CancelNotifications(ctx, tx, booking.ReminderPrefix(oldID)); err != nil {
			return err
		}
		if old.CounsellorID == nb.CounsellorID {
			err = s.scheduleBooked(ctx, tx, nb, booking.NoticeMoved, oldID, r.Now)
		} else {
			if n, ok := booking.CounsellorNotice(old, booking.NoticeCancelled, 0, r.Now); ok {
				if err := ScheduleNotification(ctx, tx, n); err != nil {
					return err
				}
			}
			err = s.scheduleBooked(ctx, tx, nb, booking.NoticeNew, 0, r.Now)
		}
		if err != nil {
			return err
		}
		return s.offerFreed(ctx, tx, old, r.Now)
	})
	if err != nil {
		return booking.Booking{}, err
	}
	return nb, nil
}

// Upcoming lists a client's booked appointments that have not ended.
func (s *BookingStore) Upcoming(ctx context.Context, clientID int64, now time.Time) ([]booking.Booking, error) {
	return listBookings(ctx, s.Pool, `WHERE b.client_id = $1 AND b.status = 'booked' AND upper(b.slot) > $2 ORDER BY lower(b.slot), b.id`, clientID, now)
}

// Confirm records the client's "I'll be there".
func (s *BookingStore) Confirm(ctx context.Context, id, clientID int64, now time.Time) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE bookings SET confirmed_at = $3 WHERE id = $1 AND client_id = $2 AND status = 'booked'`, id, clientID, now)
	if err != nil {
		return fmt.Errorf("confirm booking: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return booking.ErrNotFound
	}
	return nil
}

// ---- waitlist --------------------------------------------------------------

// offerFreed offers the slot freed by b to the first waiting client who
// fits (service, a language the counsellor speaks, date range, not offered
// this slot before, no appointment of their own at that time): a hold on
// the slot for Policy.Hold and an offer notification. Only a slot that is
// still on the counsellor's grid (not blocked meanwhile, not too soon) is
// offered.
func (s *BookingStore) offerFreed(ctx context.Context, tx pgx.Tx, b booking.Booking, now time.Time) error {
	p := s.policy()
	day := booking.DateOf(b.Start, p.Location)
	a, err := s.availability(ctx, tx, b.ServiceID, "", b.CounsellorID, day, day)
	if err != nil {
		return err
	}
	onGrid := slices.ContainsFunc(booking.Candidates(b.Service, a, p, now, day, day), func(c booking.Slot) bool {
		return c.Start.Equal(b.Start) && c.End.Equal(b.End)
	})
	if !onGrid {
		return nil
	}
	skip := []int64{}
	for range 50 {
		var wid, client int64
		var name, lang string
		err := tx.QueryRow(ctx, `
			SELECT w.id, w.client_id, w.client_name, w.language
			  FROM booking_waitlist w, counsellors c
			 WHERE c.id = $2 AND w.service_id = $1 AND w.status = 'waiting' AND w.client_id IS NOT NULL
			   AND w.language = ANY (c.languages)
			   AND $3::date BETWEEN w.first_day AND w.last_day
			   AND w.id <> ALL ($4)
			   AND NOT EXISTS (SELECT 1 FROM bookings h
			                    WHERE h.waitlist_id = w.id AND h.counsellor_id = $2 AND h.slot = tstzrange($5, $6, '[)'))
			 ORDER BY w.created_at, w.id
			 LIMIT 1
			 FOR UPDATE OF w SKIP LOCKED`,
			b.ServiceID, b.CounsellorID, day.String(), skip, b.Start, b.End).Scan(&wid, &client, &name, &lang)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("waitlist: %w", err)
		}
		until := now.Add(p.Hold)
		// A savepoint: a client who has an appointment at that time is
		// skipped without losing the transaction.
		sp, err := tx.Begin(ctx)
		if err != nil {
			return err
		}
		r := booking.Request{ServiceID: b.ServiceID, CounsellorID: b.CounsellorID, ClientID: client, ClientName: name,
			Language: lang, Start: b.Start, End: b.End, Now: now}
		holdID, err := insertRow(ctx, sp, r, row{status: booking.StatusHeld, holdUntil: &until, waitlistID: &wid})
		switch {
		case errors.Is(err, booking.ErrOverlap):
			_ = sp.Rollback(ctx)
			skip = append(skip, wid)
			continue
		case errors.Is(err, booking.ErrSlotTaken):
			_ = sp.Rollback(ctx)
			return nil // not free after all
		case err != nil:
			_ = sp.Rollback(ctx)
			return err
		}
		if err := sp.Commit(ctx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE booking_waitlist SET status = 'offered', updated_at = $2 WHERE id = $1`, wid, now); err != nil {
			return fmt.Errorf("waitlist offer: %w", err)
		}
		hold := booking.Booking{ID: holdID, ClientID: client, HoldUntil: until}
		return ScheduleNotification(ctx, tx, booking.OfferNotice(hold, now))
	}
	return nil
}

const waitlistColumns = `w.id, w.service_id, coalesce(w.client_id, 0), w.client_name, w.language, w.first_day, w.last_day, w.status, w.created_at, ` + serviceColumns

func scanWaitlist(row pgx.Row) (booking.WaitlistEntry, error) {
	var e booking.WaitlistEntry
	var first, last time.Time
	var status string
	var minutes int
	var lat, lon *float64
	dest := append([]any{&e.ID, &e.ServiceID, &e.ClientID, &e.ClientName, &e.Language, &first, &last, &status, &e.CreatedAt},
		serviceDest(&e.Service, &minutes, &lat, &lon)...)
	if err := row.Scan(dest...); err != nil {
		return e, err
	}
	finishService(&e.Service, minutes, lat, lon)
	e.First = booking.Date{Year: first.Year(), Month: first.Month(), Day: first.Day()}
	e.Last = booking.Date{Year: last.Year(), Month: last.Month(), Day: last.Day()}
	e.Status = booking.WaitlistStatus(status)
	return e, nil
}

func listWaitlist(ctx context.Context, q querier, where string, args ...any) ([]booking.WaitlistEntry, error) {
	rows, err := q.Query(ctx, `SELECT `+waitlistColumns+` FROM booking_waitlist w JOIN booking_services s ON s.id = w.service_id `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list waitlist: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.WaitlistEntry, error) { return scanWaitlist(r) })
	if err != nil {
		return nil, fmt.Errorf("list waitlist: %w", err)
	}
	return out, nil
}

// JoinWaitlist puts a client on a service's waitlist.
func (s *BookingStore) JoinWaitlist(ctx context.Context, e booking.WaitlistEntry) (booking.WaitlistEntry, error) {
	err := s.Pool.QueryRow(ctx, `
		INSERT INTO booking_waitlist (service_id, client_id, client_name, language, first_day, last_day, created_at)
		VALUES ($1, $2, $3, $4, $5::date, $6::date, $7) RETURNING id`,
		e.ServiceID, e.ClientID, e.ClientName, e.Language, e.First.String(), e.Last.String(), e.CreatedAt).Scan(&e.ID)
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return e, booking.ErrAlreadyWaiting
	}
	if err != nil {
		return e, fmt.Errorf("join waitlist: %w", err)
	}
	e.Status = booking.Waiting
	return e, nil
}

// LeaveWaitlist takes a client off a waitlist. A hold they were offered
// runs out and goes to the next.
func (s *BookingStore) LeaveWaitlist(ctx context.Context, entryID, clientID int64, now time.Time) error {
	tag, err := s.Pool.Exec(ctx, `
		UPDATE booking_waitlist SET status = 'left', updated_at = $3
		 WHERE id = $1 AND client_id = $2 AND status IN ('waiting', 'offered')`, entryID, clientID, now)
	if err != nil {
		return fmt.Errorf("leave waitlist: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return booking.ErrNotFound
	}
	return nil
}

// ClientWaitlist lists a client's current waitlist entries.
func (s *BookingStore) ClientWaitlist(ctx context.Context, clientID int64, today booking.Date) ([]booking.WaitlistEntry, error) {
	return listWaitlist(ctx, s.Pool, `WHERE w.client_id = $1 AND w.status IN ('waiting', 'offered') AND w.last_day >= $2::date ORDER BY w.created_at, w.id`, clientID, today.String())
}

// ownHold locks a hold of the client.
func ownHold(ctx context.Context, tx pgx.Tx, id, clientID int64) (booking.Booking, error) {
	h, err := getBooking(ctx, tx, id, true)
	if err != nil {
		return h, err
	}
	if h.ClientID != clientID || clientID == 0 || h.Status != booking.StatusHeld {
		return h, booking.ErrNotFound
	}
	return h, nil
}

// TakeHold turns a held slot into the client's booking.
func (s *BookingStore) TakeHold(ctx context.Context, id, clientID int64, now time.Time) (booking.Booking, error) {
	var b booking.Booking
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := lockClient(ctx, tx, clientID); err != nil {
			return err
		}
		h, err := ownHold(ctx, tx, id, clientID)
		if err != nil {
			return err
		}
		if !now.Before(h.HoldUntil) {
			return booking.ErrHoldExpired
		}
		if err := s.checkOpen(ctx, tx, clientID, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bookings SET status = 'booked', created_at = $2 WHERE id = $1`, id, now); err != nil {
			return fmt.Errorf("take hold: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE booking_waitlist SET status = 'booked', updated_at = $2 WHERE id = $1`, h.WaitlistID, now); err != nil {
			return fmt.Errorf("take hold: %w", err)
		}
		h.Status, h.CreatedAt = booking.StatusBooked, now
		b = h
		return s.scheduleBooked(ctx, tx, b, booking.NoticeNew, 0, now)
	})
	if err != nil {
		return booking.Booking{}, err
	}
	return b, nil
}

// release ends a hold and offers the slot to the next waiting client.
func (s *BookingStore) release(ctx context.Context, tx pgx.Tx, h booking.Booking, now time.Time, tell bool) error {
	if _, err := tx.Exec(ctx, `UPDATE bookings SET status = 'expired' WHERE id = $1`, h.ID); err != nil {
		return fmt.Errorf("release hold: %w", err)
	}
	tag, err := tx.Exec(ctx, `UPDATE booking_waitlist SET status = 'waiting', updated_at = $2 WHERE id = $1 AND status = 'offered'`, h.WaitlistID, now)
	if err != nil {
		return fmt.Errorf("release hold: %w", err)
	}
	if tell && tag.RowsAffected() > 0 {
		if err := ScheduleNotification(ctx, tx, booking.OfferExpiredNotice(h, now)); err != nil {
			return err
		}
	}
	return s.offerFreed(ctx, tx, h, now)
}

// DeclineHold gives a held slot to the next waiting client.
func (s *BookingStore) DeclineHold(ctx context.Context, id, clientID int64, now time.Time) error {
	return s.inTx(ctx, func(tx pgx.Tx) error {
		h, err := ownHold(ctx, tx, id, clientID)
		if err != nil {
			return err
		}
		return s.release(ctx, tx, h, now, false)
	})
}

// ExpireHolds ends holds that ran out, one transaction each.
func (s *BookingStore) ExpireHolds(ctx context.Context, now time.Time) (int, error) {
	n := 0
	for {
		done := false
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			var id int64
			err := tx.QueryRow(ctx, `
				SELECT id FROM bookings WHERE status = 'held' AND hold_until <= $1
				 ORDER BY hold_until, id LIMIT 1 FOR UPDATE SKIP LOCKED`, now).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				done = true
				return nil
			}
			if err != nil {
				return fmt.Errorf("expire holds: %w", err)
			}
			h, err := getBooking(ctx, tx, id, true)
			if err != nil {
				return err
			}
			return s.release(ctx, tx, h, now, true)
		})
		if err != nil {
			return n, err
		}
		if done {
			return n, nil
		}
		n++
	}
}

// ---- counsellors -----------------------------------------------------------

// CounsellorByUser is the active counsellor linked to a Telegram account.
func (s *BookingStore) CounsellorByUser(ctx context.Context, userID int64) (booking.Counsellor, error) {
	c, err := scanCounsellor(s.Pool.QueryRow(ctx, `SELECT `+counsellorColumns+` FROM counsellors c WHERE c.user_id = $1 AND c.active`, userID))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, booking.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("counsellor by user: %w", err)
	}
	return c, nil
}

// Agenda lists a counsellor's appointments overlapping [from, to).
func (s *BookingStore) Agenda(ctx context.Context, counsellorID int64, from, to time.Time) ([]booking.Booking, error) {
	return listBookings(ctx, s.Pool, `
		WHERE b.counsellor_id = $1 AND b.status IN ('booked', 'attended', 'no_show') AND b.slot && tstzrange($2, $3)
		ORDER BY lower(b.slot), b.id`, counsellorID, from, to)
}

// SetOutcome records whether the client came.
func (s *BookingStore) SetOutcome(ctx context.Context, id, counsellorID int64, st booking.Status, now time.Time) (booking.Booking, error) {
	if st != booking.StatusAttended && st != booking.StatusNoShow {
		return booking.Booking{}, fmt.Errorf("set outcome: %q is not an outcome", st)
	}
	var b booking.Booking
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		if b, err = getBooking(ctx, tx, id, true); err != nil {
			return err
		}
		switch {
		case b.CounsellorID != counsellorID:
			return booking.ErrNotFound
		case b.Status != booking.StatusBooked && b.Status != booking.StatusAttended && b.Status != booking.StatusNoShow:
			return booking.ErrNotFound
		case now.Before(b.Start):
			return booking.ErrTooEarly
		}
		if _, err := tx.Exec(ctx, `UPDATE bookings SET status = $2 WHERE id = $1`, id, string(st)); err != nil {
			return fmt.Errorf("set outcome: %w", err)
		}
		b.Status = st
		return nil
	})
	return b, err
}

// Block takes time out of a counsellor's hours.
func (s *BookingStore) Block(ctx context.Context, counsellorID int64, day booking.Date, allDay bool, from, to booking.Clock) (int, error) {
	loc := s.policy().Location
	start, end := day.Start(loc), day.AddDays(1).Start(loc)
	var starts, ends *string
	if !allDay {
		if to <= from {
			return 0, fmt.Errorf("block: %v is not after %v", to, from)
		}
		f, t := from.String(), to.String()
		starts, ends = &f, &t
		start, end = day.At(from, loc), day.At(to, loc)
	}
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO availability_exceptions (counsellor_id, day, starts, ends, kind, source)
			VALUES ($1, $2::date, $3::time, $4::time, 'absent', 'chat')`, counsellorID, day.String(), starts, ends); err != nil {
			return fmt.Errorf("block: %w", err)
		}
		return tx.QueryRow(ctx, `
			SELECT count(*) FROM bookings WHERE counsellor_id = $1 AND status = 'booked' AND slot && tstzrange($2, $3)`,
			counsellorID, start, end).Scan(&n)
	})
	return n, err
}

// CounsellorWaitlist lists who waits for the counsellor's services in a
// language they speak.
func (s *BookingStore) CounsellorWaitlist(ctx context.Context, counsellorID int64, today booking.Date) ([]booking.WaitlistEntry, error) {
	return listWaitlist(ctx, s.Pool, `
		JOIN counsellor_services cs ON cs.service_id = w.service_id AND cs.counsellor_id = $1
		JOIN counsellors c ON c.id = cs.counsellor_id
		WHERE w.status IN ('waiting', 'offered') AND w.last_day >= $2::date AND w.language = ANY (c.languages)
		ORDER BY w.created_at, w.id`, counsellorID, today.String())
}

// CreateInvite stores the hash of a new invite token.
func (s *BookingStore) CreateInvite(ctx context.Context, externalID string, tokenHash []byte, expires time.Time) (booking.Counsellor, error) {
	c, err := scanCounsellor(s.Pool.QueryRow(ctx, `SELECT `+counsellorColumns+` FROM counsellors c WHERE c.external_id = $1`, externalID))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, booking.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("create invite: %w", err)
	}
	if _, err := s.Pool.Exec(ctx, `INSERT INTO counsellor_invites (token_hash, counsellor_id, expires_at) VALUES ($1, $2, $3)`, tokenHash, c.ID, expires); err != nil {
		return c, fmt.Errorf("create invite: %w", err)
	}
	return c, nil
}

// AcceptInvite links the Telegram account to the invited counsellor and
// raises it to the counsellor role. A token works once.
func (s *BookingStore) AcceptInvite(ctx context.Context, tokenHash []byte, userID int64, now time.Time) (booking.Counsellor, error) {
	var c booking.Counsellor
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var cid int64
		err := tx.QueryRow(ctx, `
			SELECT counsellor_id FROM counsellor_invites
			 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 FOR UPDATE`, tokenHash, now).Scan(&cid)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.ErrInviteInvalid
		}
		if err != nil {
			return fmt.Errorf("accept invite: %w", err)
		}
		for _, st := range []struct {
			sql  string
			args []any
		}{
			// One account is one counsellor.
			{`UPDATE counsellors SET user_id = NULL, updated_at = now() WHERE user_id = $1 AND id <> $2`, []any{userID, cid}},
			{`UPDATE counsellors SET user_id = $1, updated_at = now() WHERE id = $2`, []any{userID, cid}},
			// Raised to counsellor; a coordinator or admin keeps their role.
			{`UPDATE users SET role = 'counsellor', updated_at = now() WHERE id = $1 AND role IN ('public', 'member')`, []any{userID}},
			{`UPDATE counsellor_invites SET used_at = $1, used_by = $2 WHERE token_hash = $3`, []any{now, userID, tokenHash}},
		} {
			if _, err := tx.Exec(ctx, st.sql, st.args...); err != nil {
				return fmt.Errorf("accept invite: %w", err)
			}
		}
		c, err = scanCounsellor(tx.QueryRow(ctx, `SELECT `+counsellorColumns+` FROM counsellors c WHERE c.id = $1`, cid))
		return err
	})
	return c, err
}

// ---- import and retention --------------------------------------------------

// Import creates or updates everything in the catalog in one transaction.
// Importing the same catalog again leaves the data as it is.
func (s *BookingStore) Import(ctx context.Context, c booking.Catalog) (booking.ImportStats, error) {
	var st booking.ImportStats
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		for _, o := range c.Organisations {
			if _, err := tx.Exec(ctx, `
				INSERT INTO organisations (external_id, name, website, email, phone) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (external_id) DO UPDATE
				   SET name = EXCLUDED.name,
				       website = coalesce(nullif(EXCLUDED.website, ''), organisations.website),
				       email = coalesce(nullif(EXCLUDED.email, ''), organisations.email),
				       phone = coalesce(nullif(EXCLUDED.phone, ''), organisations.phone),
				       updated_at = now()
				 WHERE (organisations.name, organisations.website, organisations.email, organisations.phone) IS DISTINCT FROM
				       (EXCLUDED.name, coalesce(nullif(EXCLUDED.website, ''), organisations.website),
				        coalesce(nullif(EXCLUDED.email, ''), organisations.email), coalesce(nullif(EXCLUDED.phone, ''), organisations.phone))`,
				o.ExternalID, o.Name, o.Website, o.Email, o.Phone); err != nil {
				return fmt.Errorf("organisation %s: %w", o.ExternalID, err)
			}
			st.Organisations++
		}
		services := map[string]int64{}
		for _, sv := range c.Services {
			var org *int64
			if sv.Organisation != "" {
				var id int64
				if err := tx.QueryRow(ctx, `SELECT id FROM organisations WHERE external_id = $1`, sv.Organisation).Scan(&id); err != nil {
					if errors.Is(err, pgx.ErrNoRows) {
						return fmt.Errorf("service %s: unknown organisation %q", sv.ExternalID, sv.Organisation)
					}
					return err
				}
				org = &id
			}
			var offer, lat, lon any
			if sv.OfferExternalID != "" {
				offer = sv.OfferExternalID
			}
			if sv.Venue.HasLocation {
				lat, lon = sv.Venue.Latitude, sv.Venue.Longitude
			}
			var id int64
			err := tx.QueryRow(ctx, `
				INSERT INTO booking_services AS s (external_id, organisation_id, offer_external_id, name, description, duration_minutes,
				       languages, venue_name, venue_address, latitude, longitude, phone, video_url, position)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
				ON CONFLICT (external_id) DO UPDATE SET
				       organisation_id = EXCLUDED.organisation_id, offer_external_id = EXCLUDED.offer_external_id,
				       name = EXCLUDED.name, description = EXCLUDED.description, duration_minutes = EXCLUDED.duration_minutes,
				       languages = EXCLUDED.languages, venue_name = EXCLUDED.venue_name, venue_address = EXCLUDED.venue_address,
				       latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, phone = EXCLUDED.phone,
				       video_url = EXCLUDED.video_url, position = EXCLUDED.position, active = true, updated_at = now()
				 WHERE (s.organisation_id, s.offer_external_id, s.name, s.description, s.duration_minutes, s.languages,
				        s.venue_name, s.venue_address, s.latitude, s.longitude, s.phone, s.video_url, s.position, s.active)
				       IS DISTINCT FROM
				       (EXCLUDED.organisation_id, EXCLUDED.offer_external_id, EXCLUDED.name, EXCLUDED.description,
				        EXCLUDED.duration_minutes, EXCLUDED.languages, EXCLUDED.venue_name, EXCLUDED.venue_address,
				        EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.phone, EXCLUDED.video_url, EXCLUDED.position, true)
				RETURNING id`,
				sv.ExternalID, org, offer, sv.Names, sv.Descriptions, int(sv.Duration/time.Minute), sv.Languages,
				sv.Venue.Name, sv.Venue.Address, lat, lon, sv.Phone, sv.VideoURL, sv.Position).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) { // unchanged
				err = tx.QueryRow(ctx, `SELECT id FROM booking_services WHERE external_id = $1`, sv.ExternalID).Scan(&id)
			}
			if err != nil {
				return fmt.Errorf("service %s: %w", sv.ExternalID, err)
			}
			services[sv.ExternalID] = id
			st.Services++
		}
		for _, k := range c.Counsellors {
			var id int64
			err := tx.QueryRow(ctx, `
				INSERT INTO counsellors AS c (external_id, display_name, languages, buffer_minutes, phone)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (external_id) DO UPDATE SET
				       display_name = EXCLUDED.display_name, languages = EXCLUDED.languages,
				       buffer_minutes = EXCLUDED.buffer_minutes, phone = EXCLUDED.phone, active = true, updated_at = now()
				 WHERE (c.display_name, c.languages, c.buffer_minutes, c.phone, c.active) IS DISTINCT FROM
				       (EXCLUDED.display_name, EXCLUDED.languages, EXCLUDED.buffer_minutes, EXCLUDED.phone, true)
				RETURNING id`,
				k.ExternalID, k.Name, k.Languages, int(k.Buffer/time.Minute), k.Phone).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				err = tx.QueryRow(ctx, `SELECT id FROM counsellors WHERE external_id = $1`, k.ExternalID).Scan(&id)
			}
			if err != nil {
				return fmt.Errorf("counsellor %s: %w", k.ExternalID, err)
			}
			var sids []int64
			for _, ext := range k.Services {
				sid, ok := services[ext]
				if !ok {
					if err := tx.QueryRow(ctx, `SELECT id FROM booking_services WHERE external_id = $1`, ext).Scan(&sid); err != nil {
						if errors.Is(err, pgx.ErrNoRows) {
							return fmt.Errorf("counsellor %s: unknown service %q", k.ExternalID, ext)
						}
						return err
					}
				}
				sids = append(sids, sid)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM counsellor_services WHERE counsellor_id = $1 AND service_id <> ALL ($2)`, id, sids); err != nil {
				return fmt.Errorf("counsellor %s: %w", k.ExternalID, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO counsellor_services (counsellor_id, service_id) SELECT $1, unnest($2::bigint[]) ON CONFLICT DO NOTHING`, id, sids); err != nil {
				return fmt.Errorf("counsellor %s: %w", k.ExternalID, err)
			}
			if _, err := tx.Exec(ctx, `DELETE FROM availability_rules WHERE counsellor_id = $1`, id); err != nil {
				return fmt.Errorf("counsellor %s: %w", k.ExternalID, err)
			}
			for _, r := range k.Rules {
				wd := int(r.Weekday)
				if wd == 0 {
					wd = 7
				}
				if _, err := tx.Exec(ctx, `INSERT INTO availability_rules (counsellor_id, weekday, starts, ends, location) VALUES ($1, $2, $3::time, $4::time, $5)`,
					id, wd, r.From.String(), r.To.String(), r.Location); err != nil {
					return fmt.Errorf("counsellor %s hours: %w", k.ExternalID, err)
				}
				st.Rules++
			}
			if _, err := tx.Exec(ctx, `DELETE FROM availability_exceptions WHERE counsellor_id = $1 AND source = 'import'`, id); err != nil {
				return fmt.Errorf("counsellor %s: %w", k.ExternalID, err)
			}
			for _, e := range k.Exceptions {
				if err := insertException(ctx, tx, &id, e); err != nil {
					return fmt.Errorf("counsellor %s exceptions: %w", k.ExternalID, err)
				}
				st.Exceptions++
			}
			st.Counsellors++
		}
		if len(c.Holidays) > 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM availability_exceptions WHERE counsellor_id IS NULL AND source = 'import'`); err != nil {
				return fmt.Errorf("holidays: %w", err)
			}
		}
		for _, e := range c.Holidays {
			if err := insertException(ctx, tx, nil, e); err != nil {
				return fmt.Errorf("holidays: %w", err)
			}
			st.Exceptions++
		}
		return nil
	})
	return st, err
}

func insertException(ctx context.Context, tx pgx.Tx, counsellorID *int64, e booking.Exception) error {
	var starts, ends *string
	if !e.AllDay {
		f, t := e.From.String(), e.To.String()
		starts, ends = &f, &t
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO availability_exceptions (counsellor_id, day, starts, ends, kind, location, source)
		VALUES ($1, $2::date, $3::time, $4::time, $5, $6, 'import')`,
		counsellorID, e.Day.String(), starts, ends, string(e.Kind), e.Location)
	return err
}

// Anonymise clears the client of bookings that ended before cutoff and
// deletes waitlist entries whose date range ended before it.
func (s *BookingStore) Anonymise(ctx context.Context, cutoff time.Time) (int, error) {
	return AnonymiseBookings(s.Pool)(ctx, cutoff)
}

// AnonymiseBookings is the retention task of bookings (internal/app/privacy.go).
func AnonymiseBookings(pool *pgxpool.Pool) func(ctx context.Context, cutoff time.Time) (int, error) {
	return func(ctx context.Context, cutoff time.Time) (int, error) {
		tag, err := pool.Exec(ctx, `
			UPDATE bookings SET client_id = NULL, client_name = '', topic = '', anonymised_at = now()
			 WHERE anonymised_at IS NULL AND status <> 'held' AND upper(slot) < $1`, cutoff)
		if err != nil {
			return 0, fmt.Errorf("anonymise bookings: %w", err)
		}
		if _, err := pool.Exec(ctx, `DELETE FROM booking_waitlist WHERE last_day < $1::date AND status <> 'offered'`,
			cutoff.UTC().Format("2006-01-02")); err != nil {
			return 0, fmt.Errorf("anonymise waitlist: %w", err)
		}
		return int(tag.RowsAffected()), nil
	}
}
