package postgres_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/booking/bookingbench"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

var berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return loc
}()

// bookingClock only moves when told to.
type bookingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *bookingClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *bookingClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

type bookingFixture struct {
	db     *pgtest.DB
	store  *postgres.BookingStore
	booker *booking.Booker
	clock  *bookingClock
	svc    booking.Service
}

// simpleCatalog is one service of duration given by one counsellor with
// the weekly hours given, every day (shared with `netzbot bench`:
// internal/booking/bookingbench).
func simpleCatalog(name string, duration time.Duration, from, to string, buffer time.Duration, langs ...string) booking.Catalog {
	return bookingbench.SimpleCatalog(name, duration, from, to, buffer, langs...)
}

func newBookingFixture(t testing.TB, p booking.Policy, c booking.Catalog, now time.Time) *bookingFixture {
	t.Helper()
	db := pgtest.New(t)
	clock := &bookingClock{t: now}
	store := &postgres.BookingStore{Pool: db.Pool, Policy: p}
	if _, err := store.Import(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	f := &bookingFixture{db: db, store: store, clock: clock, booker: &booking.Booker{Store: store, Policy: p, Now: clock.Now}}
	f.svc = f.service(t, c.Services[0].ExternalID)
	return f
}

func (f *bookingFixture) service(t testing.TB, externalID string) booking.Service {
	t.Helper()
	all, err := f.store.Services(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.ExternalID == externalID {
			return s
		}
	}
	t.Fatalf("no service %s", externalID)
	return booking.Service{}
}

func (f *bookingFixture) clients(t testing.TB, from int64, n int) []int64 {
	t.Helper()
	users := &postgres.UserStore{Pool: f.db.Pool}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = from + int64(i)
		if _, err := users.Touch(context.Background(), ids[i], "de"); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

func (f *bookingFixture) free(t testing.TB) []booking.Slot {
	t.Helper()
	slots, err := f.booker.FreeAll(context.Background(), f.svc, f.svc.Languages[0])
	if err != nil {
		t.Fatal(err)
	}
	return slots
}

func (f *bookingFixture) request(client int64, s booking.Slot) booking.Request {
	return booking.Request{CounsellorID: s.CounsellorID, ClientID: client, ClientName: "Client", Language: f.svc.Languages[0], Start: s.Start}
}

func (f *bookingFixture) count(t testing.TB, where string) int {
	t.Helper()
	var n int
	if err := f.db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM bookings WHERE `+where).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func mon(h, m int) time.Time { return time.Date(2026, 6, 1, h, m, 0, 0, berlin) } // a Monday

func TestExclusionConstraintRefusesOverlapsWhateverTheApplicationDoes(t *testing.T) {
	f := newBookingFixture(t, booking.DefaultPolicy(berlin), simpleCatalog("x", time.Hour, "09:00", "17:00", 15*time.Minute, "de"), mon(6, 0))
	ctx := context.Background()
	c := f.clients(t, 100, 2)
	var cid int64
	if err := f.db.Pool.QueryRow(ctx, `SELECT id FROM counsellors`).Scan(&cid); err != nil {
		t.Fatal(err)
	}
	insert := func(client int64, start, end time.Time) error {
		_, err := f.db.Pool.Exec(ctx, `
			INSERT INTO bookings (service_id, counsellor_id, client_id, language, slot, busy, status, created_at)
			VALUES ($1, $2, $3, 'de', tstzrange($4, $5), tstzrange($4, $5 + interval '15 minutes'), 'booked', now())`,
			f.svc.ID, cid, client, start, end)
		return err
	}
	if err := insert(c[0], mon(10, 0), mon(11, 0)); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		client     int64
		start, end time.Time
		constraint string
	}{
		"same slot, other client":        {c[1], mon(10, 0), mon(11, 0), "bookings_no_double_booking"},
		"overlapping, other client":      {c[1], mon(10, 30), mon(11, 30), "bookings_no_double_booking"},
		"inside the counsellor's buffer": {c[1], mon(11, 10), mon(12, 10), "bookings_no_double_booking"},
	} {
		var pg *pgconn.PgError
		if err := insert(tc.client, tc.start, tc.end); !errors.As(err, &pg) || pg.Code != "23P01" || pg.ConstraintName != tc.constraint {
			t.Errorf("%s: got %v, want exclusion violation of %s", name, err, tc.constraint)
		}
	}
	if err := insert(c[1], mon(11, 15), mon(12, 15)); err != nil {
		t.Errorf("right after the buffer must be free: %v", err)
	}
	// Cancelled bookings do not count.
	if _, err := f.db.Pool.Exec(ctx, `UPDATE bookings SET status = 'cancelled' WHERE lower(slot) = $1`, mon(10, 0)); err != nil {
		t.Fatal(err)
	}
	if err := insert(c[1], mon(10, 0), mon(11, 0)); err != nil {
		t.Errorf("a cancelled booking's time must be free again: %v", err)
	}
}

func TestFiftyClientsOneSlotExactlyOneBooks(t *testing.T) {
	f := newBookingFixture(t, booking.DefaultPolicy(berlin), simpleCatalog("x", time.Hour, "09:00", "17:00", 0, "de"), mon(6, 0))
	clients := f.clients(t, 1000, 50)
	slot := f.free(t)[2]
	for name, via := range map[string]func(context.Context, int64) ([]booking.Slot, error){
		// Through the Booker, as the bot books: the losers get alternatives.
		"booker": func(ctx context.Context, c int64) ([]booking.Slot, error) {
			_, alts, err := f.booker.Book(ctx, f.svc, f.request(c, slot))
			return alts, err
		},
		// Straight into the store, no application check at all: the
		// database alone decides.
		"store": func(ctx context.Context, c int64) ([]booking.Slot, error) {
			r := f.request(c, slot)
			r.ServiceID, r.End, r.Now = f.svc.ID, slot.End, f.clock.Now()
			_, err := f.store.Book(ctx, r)
			return nil, err
		},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := f.db.Pool.Exec(context.Background(), `DELETE FROM bookings; DELETE FROM notifications`); err != nil {
				t.Fatal(err)
			}
			var ok, taken atomic.Int32
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make(chan error, len(clients))
			for _, c := range clients {
				wg.Add(1)
				go func(c int64) {
					defer wg.Done()
					<-start
					alts, err := via(context.Background(), c)
					switch {
					case err == nil:
						ok.Add(1)
					case errors.Is(err, booking.ErrSlotTaken):
						taken.Add(1)
						if name == "booker" && len(alts) == 0 {
							errs <- fmt.Errorf("client %d: just taken without alternatives", c)
						}
						for _, a := range alts {
							if a.Start.Equal(slot.Start) {
								errs <- fmt.Errorf("client %d: the taken slot offered as alternative", c)
							}
						}
					default:
						errs <- fmt.Errorf("client %d: %w", c, err)
					}
				}(c)
			}
			close(start)
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if ok.Load() != 1 || taken.Load() != 49 {
				t.Errorf("%d booked and %d told just taken; want 1 and 49", ok.Load(), taken.Load())
			}
			if n := f.count(t, `status = 'booked'`); n != 1 {
				t.Errorf("%d bookings stored, want 1", n)
			}
		})
	}
}

// contend lets every client book until they have an appointment or no slot
// is left, as a person in the chat would (internal/booking/bookingbench,
// shared with `netzbot bench`).
func contend(ctx context.Context, k *booking.Booker, svc booking.Service, clients []int64) (made, attempts int64, err error) {
	return bookingbench.Contend(ctx, k, svc, clients)
}

func TestTwoHundredClientsTwentySlotsExactlyTwentyBookings(t *testing.T) {
	p := booking.DefaultPolicy(berlin)
	p.HorizonDays = 1 // today and tomorrow, 10 slots each
	f := newBookingFixture(t, p, simpleCatalog("x", time.Hour, "09:00", "19:00", 0, "de"), mon(6, 0))
	if n := len(f.free(t)); n != 20 {
		t.Fatalf("fixture has %d slots, want 20", n)
	}
	clients := f.clients(t, 5000, 200)
	made, attempts, err := contend(context.Background(), f.booker, f.svc, clients)
	if err != nil {
		t.Fatal(err)
	}
	if made != 20 {
		t.Errorf("%d bookings made, want 20", made)
	}
	if n := f.count(t, `status = 'booked'`); n != 20 {
		t.Errorf("%d bookings stored, want 20", n)
	}
	var overlaps int
	if err := f.db.Pool.QueryRow(context.Background(), `
		SELECT count(*) FROM bookings a JOIN bookings b ON a.id < b.id AND a.counsellor_id = b.counsellor_id AND a.busy && b.busy
		 WHERE a.status = 'booked' AND b.status = 'booked'`).Scan(&overlaps); err != nil || overlaps != 0 {
		t.Errorf("overlapping bookings: %d %v", overlaps, err)
	}
	if len(f.free(t)) != 0 {
		t.Errorf("slots left over")
	}
	t.Logf("%d attempts for 20 slots by 200 clients", attempts)
}

// BenchmarkBookingUnderContention has 100 clients race for 20 slots per
// iteration (a fresh service each time) and reports booking attempts per
// second next to the bookings made per iteration, which must equal the
// slots. Run: go test -run '^$' -bench BookingUnderContention ./internal/postgres/
func BenchmarkBookingUnderContention(b *testing.B) {
	p := booking.DefaultPolicy(berlin)
	p.HorizonDays = 1
	f := newBookingFixture(b, p, simpleCatalog("bench-0", time.Hour, "09:00", "19:00", 0, "de"), mon(6, 0))
	ctx := context.Background()
	var made, attempts int64
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		name := fmt.Sprintf("bench-%d", i+1)
		if _, err := f.store.Import(ctx, simpleCatalog(name, time.Hour, "09:00", "19:00", 0, "de")); err != nil {
			b.Fatal(err)
		}
		svc := f.service(b, name)
		clients := f.clients(b, int64(100000+i*100), 100)
		b.StartTimer()
		t0 := time.Now()
		m, a, err := contend(ctx, f.booker, svc, clients)
		elapsed += time.Since(t0)
		if err != nil {
			b.Fatal(err)
		}
		if m != 20 {
			b.Fatalf("iteration %d: %d bookings made for 20 slots", i, m)
		}
		made, attempts = made+m, attempts+a
	}
	b.ReportMetric(float64(attempts)/elapsed.Seconds(), "attempts/s")
	b.ReportMetric(float64(made)/float64(b.N), "bookings/op")
	b.ReportMetric(20, "slots/op")
}

func TestOpenBookingsLimitAndClientOverlap(t *testing.T) {
	f := newBookingFixture(t, booking.DefaultPolicy(berlin), simpleCatalog("x", time.Hour, "09:00", "17:00", 0, "de"), mon(6, 0))
	ctx := context.Background()
	c := f.clients(t, 10, 1)[0]
	if _, err := f.store.Import(ctx, simpleCatalog("y", time.Hour, "09:00", "17:00", 0, "de")); err != nil {
		t.Fatal(err)
	}
	other := f.service(t, "y")
	free := f.free(t)
	if _, _, err := f.booker.Book(ctx, f.svc, f.request(c, free[0])); err != nil {
		t.Fatal(err)
	}
	// Same time with another counsellor of another service: the client is busy.
	ys, _ := f.booker.FreeAll(ctx, other, "de")
	_, _, err := f.booker.Book(ctx, other, booking.Request{CounsellorID: ys[0].CounsellorID, ClientID: c, Language: "de", Start: ys[0].Start})
	if !errors.Is(err, booking.ErrOverlap) {
		t.Errorf("overlapping own booking: got %v, want ErrOverlap", err)
	}
	if _, _, err := f.booker.Book(ctx, f.svc, f.request(c, free[3])); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.booker.Book(ctx, f.svc, f.request(c, free[5])); !errors.Is(err, booking.ErrTooManyBookings) {
		t.Errorf("third open booking: got %v, want ErrTooManyBookings", err)
	}
	// Concurrent attempts of one client cannot exceed the limit either.
	d := f.clients(t, 20, 1)[0]
	var wg sync.WaitGroup
	for i := 6; i < 16; i++ {
		wg.Add(1)
		go func(s booking.Slot) {
			defer wg.Done()
			_, _, _ = f.booker.Book(ctx, f.svc, f.request(d, s))
		}(free[i])
	}
	wg.Wait()
	if n := f.count(t, fmt.Sprintf(`client_id = %d AND status = 'booked'`, d)); n != 2 {
		t.Errorf("concurrent attempts of one client made %d bookings, want the limit 2", n)
	}
}

func TestTamperedSlotsAreInvalid(t *testing.T) {
	cat := simpleCatalog("x", time.Hour, "09:00", "17:00", 0, "de", "uk")
	y := simpleCatalog("y", 45*time.Minute, "09:00", "17:00", 0, "de")
	cat.Services = append(cat.Services, y.Services...)
	cat.Counsellors = append(cat.Counsellors, y.Counsellors...)
	f := newBookingFixture(t, booking.DefaultPolicy(berlin), cat, mon(6, 0))
	ctx := context.Background()
	c := f.clients(t, 10, 1)[0]
	svcY := f.service(t, "y")
	free := f.free(t)
	s := free[0]
	ys, _ := f.booker.FreeAll(ctx, svcY, "de")
	for name, r := range map[string]struct {
		svc booking.Service
		req booking.Request
	}{
		"in the past":                  {f.svc, booking.Request{CounsellorID: s.CounsellorID, ClientID: c, Language: "de", Start: mon(5, 0)}},
		"too soon":                     {f.svc, booking.Request{CounsellorID: s.CounsellorID, ClientID: c, Language: "de", Start: mon(7, 0)}},
		"beyond the horizon":           {f.svc, booking.Request{CounsellorID: s.CounsellorID, ClientID: c, Language: "de", Start: mon(10, 0).AddDate(0, 0, 40)}},
		"off the grid":                 {f.svc, booking.Request{CounsellorID: s.CounsellorID, ClientID: c, Language: "de", Start: s.Start.Add(10 * time.Minute)}},
		"another service's slot":       {f.svc, booking.Request{CounsellorID: ys[1].CounsellorID, ClientID: c, Language: "de", Start: ys[1].Start}},
		"a language it is not held in": {f.svc, booking.Request{CounsellorID: s.CounsellorID, ClientID: c, Language: "ar", Start: s.Start}},
		"service's grid, not this one": {svcY, booking.Request{CounsellorID: ys[0].CounsellorID, ClientID: c, Language: "de", Start: ys[0].Start.Add(30 * time.Minute)}},
	} {
		if _, _, err := f.booker.Book(ctx, r.svc, r.req); !errors.Is(err, booking.ErrInvalidSlot) {
			t.Errorf("%s: got %v, want ErrInvalidSlot", name, err)
		}
	}
	if n := f.count(t, "true"); n != 0 {
		t.Errorf("tampered requests stored %d bookings", n)
	}
}

func TestRescheduleIsOneTransaction(t *testing.T) {
	f := newBookingFixture(t, booking.DefaultPolicy(berlin), simpleCatalog("x", time.Hour, "09:00", "17:00", 0, "de"), mon(6, 0))
	ctx := context.Background()
	cl := f.clients(t, 10, 2)
	free := f.free(t)
	old, _, err := f.booker.Book(ctx, f.svc, f.request(cl[0], free[0]))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.booker.Book(ctx, f.svc, f.request(cl[1], free[1])); err != nil {
		t.Fatal(err)
	}
	// Onto a taken slot: refused, the old booking stays as it was.
	old, _ = f.store.Booking(ctx, old.ID)
	_, alts, err := f.booker.Reschedule(ctx, old, cl[0], free[1].CounsellorID, free[1].Start)
	if !errors.Is(err, booking.ErrSlotTaken) || len(alts) == 0 {
		t.Fatalf("reschedule onto a taken slot: %v (%d alternatives)", err, len(alts))
	}
	// The store's own check: its transaction rolls back as a whole.
	r := f.request(cl[0], free[1])
	r.ServiceID, r.End, r.Now = f.svc.ID, free[1].End, f.clock.Now()
	if _, err := f.store.Reschedule(ctx, old.ID, r); !errors.Is(err, booking.ErrSlotTaken) {
		t.Fatalf("store reschedule onto a taken slot: %v", err)
	}
	if b, _ := f.store.Booking(ctx, old.ID); b.Status != booking.StatusBooked {
		t.Fatalf("old booking changed by a failed reschedule: %s", b.Status)
	}
	// Half an hour later, overlapping its own old time: allowed.
	nb, _, err := f.booker.Reschedule(ctx, old, cl[0], free[2].CounsellorID, free[2].Start)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := f.store.Booking(ctx, old.ID); b.Status != booking.StatusCancelled || nb.Rescheduled != old.ID || nb.Status != booking.StatusBooked {
		t.Errorf("after reschedule: old %s, new %+v", b.Status, nb)
	}
	var keys []string
	rows, _ := f.db.Pool.Query(ctx, `SELECT key FROM notifications WHERE status = 'pending' ORDER BY key`)
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		keys = append(keys, k)
	}
	for _, k := range keys {
		if bytes.HasPrefix([]byte(k), []byte(booking.ReminderPrefix(old.ID))) {
			t.Errorf("old reminder still pending: %s", k)
		}
	}
	// After the deadline: refused.
	f.clock.Set(nb.Start.Add(-time.Hour))
	if _, _, err := f.booker.Reschedule(ctx, nb, cl[0], free[5].CounsellorID, free[5].Start); !errors.Is(err, booking.ErrDeadlinePassed) {
		t.Errorf("late reschedule: %v", err)
	}
	if _, err := f.booker.Cancel(ctx, nb, cl[0]); !errors.Is(err, booking.ErrDeadlinePassed) {
		t.Errorf("late cancel: %v", err)
	}
	if _, err := f.store.Cancel(ctx, nb.ID, cl[0], f.clock.Now()); !errors.Is(err, booking.ErrDeadlinePassed) {
		t.Errorf("late cancel in the store: %v", err)
	}
}

func TestImportIsIdempotentAndKeepsChatBlocks(t *testing.T) {
	db := pgtest.New(t)
	ctx := context.Background()
	store := &postgres.BookingStore{Pool: db.Pool, Policy: booking.DefaultPolicy(berlin)}
	cat, err := booking.ParseCatalog(bytes.NewReader(booking.SampleYAML))
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		var s string
		err := db.Pool.QueryRow(ctx, `SELECT concat_ws('|',
			(SELECT string_agg(concat_ws(',', external_id, name::text, description::text, duration_minutes, languages::text, venue_address, latitude, phone, video_url, position, updated_at), ';' ORDER BY external_id) FROM booking_services),
			(SELECT string_agg(concat_ws(',', external_id, display_name, languages::text, buffer_minutes, phone, updated_at), ';' ORDER BY external_id) FROM counsellors),
			(SELECT string_agg(concat_ws(',', counsellor_id, service_id), ';' ORDER BY counsellor_id, service_id) FROM counsellor_services),
			(SELECT string_agg(concat_ws(',', counsellor_id, weekday, starts, ends, location), ';' ORDER BY counsellor_id, weekday, starts) FROM availability_rules),
			(SELECT string_agg(concat_ws(',', counsellor_id, day, starts, ends, kind, source), ';' ORDER BY day, starts) FROM availability_exceptions),
			(SELECT string_agg(concat_ws(',', external_id, name, updated_at), ';' ORDER BY external_id) FROM organisations))`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	st, err := store.Import(ctx, cat)
	if err != nil {
		t.Fatal(err)
	}
	if st.Services != 4 || st.Counsellors != 4 || st.Rules == 0 {
		t.Errorf("stats %+v", st)
	}
	first := snapshot()
	if _, err := store.Import(ctx, cat); err != nil {
		t.Fatal(err)
	}
	if again := snapshot(); again != first {
		t.Errorf("second import changed the data:\n%s\n%s", first, again)
	}
	// A block from the chat survives a re-import.
	var amira int64
	_ = db.Pool.QueryRow(ctx, `SELECT id FROM counsellors WHERE external_id = 'amira-haddad'`).Scan(&amira)
	if _, err := store.Block(ctx, amira, booking.Date{Year: 2026, Month: 7, Day: 1}, true, 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Import(ctx, cat); err != nil {
		t.Fatal(err)
	}
	var n int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM availability_exceptions WHERE source = 'chat'`).Scan(&n)
	if n != 1 {
		t.Errorf("chat block lost on re-import")
	}
	// A changed file is applied.
	cat.Services[0].Duration = 50 * time.Minute
	cat.Counsellors[0].Services = cat.Counsellors[0].Services[:1]
	if _, err := store.Import(ctx, cat); err != nil {
		t.Fatal(err)
	}
	var minutes, links int
	_ = db.Pool.QueryRow(ctx, `SELECT duration_minutes FROM booking_services WHERE external_id = 'mbe'`).Scan(&minutes)
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM counsellor_services WHERE counsellor_id = $1`, amira).Scan(&links)
	if minutes != 50 || links != 1 {
		t.Errorf("changes not applied: %d minutes, %d services", minutes, links)
	}
	// Unknown references are refused as a whole.
	cat.Counsellors[0].Services = []string{"nope"}
	if _, err := store.Import(ctx, cat); err == nil {
		t.Error("unknown service accepted")
	}
}

func TestWaitlistHandOverHoldExpiryAndTake(t *testing.T) {
	p := booking.DefaultPolicy(berlin)
	p.HorizonDays = 6
	cat := simpleCatalog("x", time.Hour, "10:00", "12:00", 0, "de")
	cat.Counsellors[0].Rules = cat.Counsellors[0].Rules[1:2] // Mondays only: 2 slots today
	f := newBookingFixture(t, p, cat, mon(6, 0))
	ctx := context.Background()
	cl := f.clients(t, 10, 4) // two with bookings, two waiting
	free := f.free(t)
	if len(free) != 2 {
		t.Fatalf("%d slots", len(free))
	}
	b0, _, err := f.booker.Book(ctx, f.svc, f.request(cl[0], free[0]))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.booker.Book(ctx, f.svc, f.request(cl[1], free[1])); err != nil {
		t.Fatal(err)
	}
	today := booking.DateOf(f.clock.Now(), berlin)
	for i, c := range cl[2:] {
		f.clock.Set(mon(6, i)) // queue order
		if _, err := f.store.JoinWaitlist(ctx, booking.WaitlistEntry{ServiceID: f.svc.ID, ClientID: c, ClientName: "W", Language: "de", First: today, Last: today, CreatedAt: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.JoinWaitlist(ctx, booking.WaitlistEntry{ServiceID: f.svc.ID, ClientID: cl[2], Language: "de", First: today, Last: today, CreatedAt: f.clock.Now()}); !errors.Is(err, booking.ErrAlreadyWaiting) {
		t.Errorf("joined twice: %v", err)
	}
	f.clock.Set(mon(7, 0))
	if _, err := f.booker.Cancel(ctx, b0, cl[0]); err != nil {
		t.Fatal(err)
	}
	hold := func(client int64) booking.Booking {
		t.Helper()
		var id int64
		if err := f.db.Pool.QueryRow(ctx, `SELECT id FROM bookings WHERE status = 'held' AND client_id = $1`, client).Scan(&id); err != nil {
			t.Fatalf("no hold for %d: %v", client, err)
		}
		b, _ := f.store.Booking(ctx, id)
		return b
	}
	h1 := hold(cl[2])
	if !h1.HoldUntil.Equal(mon(7, 15)) || !h1.Start.Equal(free[0].Start) {
		t.Errorf("hold %+v", h1)
	}
	// Held means busy for everybody else.
	if len(f.free(t)) != 0 {
		t.Error("a held slot is offered to others")
	}
	// Not taken in time: the next one gets it.
	f.clock.Set(mon(7, 14))
	if n, _ := f.store.ExpireHolds(ctx, f.clock.Now()); n != 0 {
		t.Errorf("expired %d holds early", n)
	}
	f.clock.Set(mon(7, 15))
	if n, err := f.store.ExpireHolds(ctx, f.clock.Now()); n != 1 || err != nil {
		t.Fatalf("expire: %d %v", n, err)
	}
	if _, err := f.store.TakeHold(ctx, h1.ID, cl[2], f.clock.Now()); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("taking an expired hold: %v", err)
	}
	h2 := hold(cl[3])
	if _, err := f.store.TakeHold(ctx, h2.ID, cl[2], f.clock.Now()); !errors.Is(err, booking.ErrNotFound) {
		t.Errorf("taking someone else's hold: %v", err)
	}
	b, err := f.store.TakeHold(ctx, h2.ID, cl[3], f.clock.Now())
	if err != nil || b.Status != booking.StatusBooked {
		t.Fatalf("take: %v %+v", err, b)
	}
	var kinds []string
	rows, _ := f.db.Pool.Query(ctx, `SELECT kind || ':' || user_id FROM notifications WHERE kind LIKE 'booking_offer%' ORDER BY id`)
	for rows.Next() {
		var k string
		_ = rows.Scan(&k)
		kinds = append(kinds, k)
	}
	want := fmt.Sprintf("[booking_offer:%d booking_offer_expired:%d booking_offer:%d]", cl[2], cl[2], cl[3])
	if fmt.Sprint(kinds) != want {
		t.Errorf("notifications %v, want %s", kinds, want)
	}
	// The first one is still waiting for another slot.
	if entries, _ := f.store.ClientWaitlist(ctx, cl[2], today); len(entries) != 1 || entries[0].Status != booking.Waiting {
		t.Errorf("first waiter: %+v", entries)
	}
}

func TestAnonymiseAndErase(t *testing.T) {
	f := newBookingFixture(t, booking.DefaultPolicy(berlin), simpleCatalog("x", time.Hour, "09:00", "17:00", 0, "de"), mon(6, 0))
	ctx := context.Background()
	cl := f.clients(t, 10, 2)
	free := f.free(t)
	past, _, err := f.booker.Book(ctx, f.svc, booking.Request{CounsellorID: free[0].CounsellorID, ClientID: cl[0], ClientName: "Ana", Language: "de", Topic: "Visa", Start: free[0].Start})
	if err != nil {
		t.Fatal(err)
	}
	later, _, err := f.booker.Book(ctx, f.svc, booking.Request{CounsellorID: free[9].CounsellorID, ClientID: cl[0], ClientName: "Ana", Language: "de", Start: free[9].Start})
	if err != nil {
		t.Fatal(err)
	}
	// Retention: only what ended before the cutoff.
	n, err := postgres.AnonymiseBookings(f.db.Pool)(ctx, past.End.Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("anonymised %d %v", n, err)
	}
	b, _ := f.store.Booking(ctx, past.ID)
	if b.ClientID != 0 || b.ClientName != "" || b.Topic != "" {
		t.Errorf("not anonymised: %+v", b)
	}
	if b, _ := f.store.Booking(ctx, later.ID); b.ClientName != "Ana" {
		t.Error("a later booking was anonymised")
	}
	// Erasure: the upcoming one is cancelled, everything anonymised.
	priv := &postgres.BookingPrivacy{Store: f.store, Now: f.clock.Now}
	exp, err := priv.Export(ctx, cl[0])
	if err != nil || exp["bookings"] == nil {
		t.Fatalf("export: %v %v", exp, err)
	}
	counts, err := priv.Erase(ctx, cl[0])
	if err != nil || counts["bookings_cancelled"] != 1 || counts["bookings_anonymised"] != 1 {
		t.Fatalf("erase: %v %v", counts, err)
	}
	if b, _ := f.store.Booking(ctx, later.ID); b.Status != booking.StatusCancelled || b.ClientID != 0 {
		t.Errorf("upcoming booking after erasure: %+v", b)
	}
	if exp, _ := priv.Export(ctx, cl[0]); len(exp) != 0 {
		t.Errorf("left after erasure: %v", exp)
	}
	if counts, err := priv.Erase(ctx, cl[0]); err != nil || len(counts) != 0 {
		t.Errorf("second erasure: %v %v", counts, err)
	}
}

var _ = pgxpool.Pool{}
