package bench

import "context"

// Booking is scenario 4: 200 concurrent clients for 20 slots, repeated;
// attempts/s and bookings made (must equal the slots). It calls into
// internal/booking (issue 4) and reuses that package's data generator.
type Booking struct{}

// Name implements Scenario.
func (*Booking) Name() string { return "booking" }

// Run implements Scenario.
func (*Booking) Run(context.Context, *Env) ([]Result, error) {
	return []Result{pending("4. booking contention", "≥ 1 000 attempts/s, bookings = slots", "booking (issue 4) has not landed")}, nil
}
