// Package bookingbench holds what the booking contention tests and
// benchmarks share: BenchmarkBookingUnderContention and the contention
// tests in internal/postgres, and scenario 4 of `netzbot bench`.
package bookingbench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/netzbot/netzbot/internal/booking"
)

// SimpleCatalog is one service of duration given by one counsellor with
// the weekly hours given, every day.
func SimpleCatalog(name string, duration time.Duration, from, to string, buffer time.Duration, langs ...string) booking.Catalog {
	var rules []booking.Rule
	f, _ := booking.ParseClock(from)
	t, _ := booking.ParseClock(to)
	for wd := time.Sunday; wd <= time.Saturday; wd++ {
		rules = append(rules, booking.Rule{Weekday: wd, From: f, To: t})
	}
	return booking.Catalog{
		Services: []booking.ServiceSpec{{Service: booking.Service{
			ExternalID: name, Names: map[string]string{"de": "Beratung " + name}, Descriptions: map[string]string{},
			Duration: duration, Languages: langs,
		}}},
		Counsellors: []booking.CounsellorSpec{{
			Counsellor: booking.Counsellor{ExternalID: "k-" + name, Name: "K " + name, Languages: langs, Buffer: buffer, Rules: rules},
			Services:   []string{name},
		}},
	}
}

// Contend lets every client book at once until they have an appointment
// or no slot is left, choosing among the first free slots and taking the
// offered alternatives when told "just taken", as a person in the chat
// would. It returns the bookings made and the booking attempts.
func Contend(ctx context.Context, k *booking.Booker, svc booking.Service, clients []int64) (made, attempts int64, err error) {
	var mu sync.Mutex
	var errs []error
	var nMade, nAttempts atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, c := range clients {
		wg.Add(1)
		go func(c int64) {
			defer wg.Done()
			<-start
			free, err := k.FreeAll(ctx, svc, svc.Languages[0])
			for err == nil && len(free) > 0 {
				s := free[rand.IntN(min(3, len(free)))]
				nAttempts.Add(1)
				var alts []booking.Slot
				_, alts, err = k.Book(ctx, svc, booking.Request{CounsellorID: s.CounsellorID, ClientID: c, ClientName: "C", Language: svc.Languages[0], Start: s.Start})
				if err == nil {
					nMade.Add(1)
					return
				}
				if errors.Is(err, booking.ErrSlotTaken) {
					free, err = alts, nil
				}
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("client %d: %w", c, err))
				mu.Unlock()
			}
		}(c)
	}
	close(start)
	wg.Wait()
	return nMade.Load(), nAttempts.Load(), errors.Join(errs...)
}
