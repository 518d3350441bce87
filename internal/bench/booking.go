package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/booking/bookingbench"
	"github.com/netzbot/netzbot/internal/postgres"
)

// Booking is scenario 4: 200 clients at once for the 20 slots of a
// consultation service (issue 4's booking.Booker on postgres.BookingStore),
// repeated with a fresh service each round. Every client books until they
// have an appointment or nothing is left, taking the offered alternatives
// when told "just taken" (bookingbench.Contend, as the contention test and
// BenchmarkBookingUnderContention do). The bookings made must equal the
// slots in every round.
type Booking struct{}

// Name implements Scenario.
func (*Booking) Name() string { return "booking" }

// Run implements Scenario.
func (s *Booking) Run(ctx context.Context, env *Env) ([]Result, error) {
	const slots = 20 // 09:00–19:00 in hours, today and tomorrow
	clients := env.Size(200, 200, 20)
	rounds := env.Size(10, 3, 1)

	pool, _, err := env.Database(ctx, "booking", false)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return nil, err
	}
	p := booking.DefaultPolicy(berlin)
	p.HorizonDays = 1
	now := time.Date(2026, 6, 1, 6, 0, 0, 0, berlin) // a Monday before opening
	store := &postgres.BookingStore{Pool: pool, Policy: p}
	booker := &booking.Booker{Store: store, Policy: p, Now: func() time.Time { return now }}
	users := &postgres.UserStore{Pool: pool}

	var (
		made, attempts int64
		elapsed        time.Duration
		wrong, failed  []string
		ran            int
	)
	env.Progressf("booking: %d rounds of %d clients for %d slots", rounds, clients, slots)
	began := time.Now()
	for round := range rounds {
		if round > 0 && time.Since(began) > env.budget() {
			break
		}
		ran++
		name := fmt.Sprintf("bench-%d", round)
		if _, err := store.Import(ctx, bookingbench.SimpleCatalog(name, time.Hour, "09:00", "19:00", 0, "de")); err != nil {
			return nil, fmt.Errorf("import service: %w", err)
		}
		svc, err := serviceNamed(ctx, store, name)
		if err != nil {
			return nil, err
		}
		ids := make([]int64, clients)
		for i := range ids {
			ids[i] = int64(4_000_000 + round*clients + i)
			if _, err := users.Touch(ctx, ids[i], "de"); err != nil {
				return nil, err
			}
		}
		t0 := time.Now()
		cctx, cancel := context.WithDeadline(ctx, began.Add(2*env.budget()))
		m, a, err := bookingbench.Contend(cctx, booker, svc, ids)
		cancel()
		elapsed += time.Since(t0)
		if err != nil {
			failed = append(failed, fmt.Sprintf("round %d: %s", round+1, oneLine(err)))
		}
		var stored int64
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM bookings WHERE service_id = $1 AND status = 'booked'`, svc.ID).Scan(&stored); err != nil {
			return nil, err
		}
		if m != slots || stored != slots {
			wrong = append(wrong, fmt.Sprintf("round %d: %d made, %d stored", round+1, m, stored))
		}
		made, attempts = made+m, attempts+a
	}
	perSec := float64(attempts) / elapsed.Seconds()
	notes := fmt.Sprintf("%d rounds, each %d clients at once for %d slots (a fresh service; bookingbench.Contend): %d attempts, %d bookings",
		ran, clients, slots, attempts, made)
	if ran < rounds {
		notes += fmt.Sprintf(" (%d rounds planned, stopped after %s)", rounds, env.budget())
	}
	if len(wrong) > 0 {
		notes += "; bookings ≠ slots: " + strings.Join(wrong, ", ")
	}
	if len(failed) > 0 {
		notes += "; attempts failed: " + strings.Join(failed, "; ")
	}
	return []Result{{
		Scenario: "4. booking contention",
		Netzbot:  fmt.Sprintf("%.0f attempts/s, %d/%d booked", perSec, made, int64(ran*slots)),
		Baseline: "—", Ratio: "—",
		Target:  "≥ 1 000 attempts/s, bookings = slots",
		Verdict: verdict(perSec >= 1000 && len(wrong) == 0 && len(failed) == 0),
		Notes:   notes,
	}}, nil
}

func serviceNamed(ctx context.Context, store *postgres.BookingStore, externalID string) (booking.Service, error) {
	all, err := store.Services(ctx)
	if err != nil {
		return booking.Service{}, err
	}
	for _, s := range all {
		if s.ExternalID == externalID {
			return s, nil
		}
	}
	return booking.Service{}, fmt.Errorf("no service %s after import", externalID)
}
