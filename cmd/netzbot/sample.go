package main

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
)

// sampleLoader fills the demo database with a feature's sample data. It
// must be idempotent: a kept demo directory is loaded again on every start.
type sampleLoader struct {
	name string
	load func(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error
}

// sampleLoaders run in order when the demo starts; each feature adds one.
var sampleLoaders = []sampleLoader{
	{"offers", loadSampleOffers}, // offers_io.go: internal/offer/sample
	// booking.go: internal/booking/testdata/booking.yaml
	{"booking", loadSampleBooking},
	// network_sample.go: member organisations, members, working groups, meetings
	{"network", loadSampleNetwork},
}

// loadSampleData runs every sample loader.
func loadSampleData(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	for _, l := range sampleLoaders {
		if err := l.load(ctx, pool, logger); err != nil {
			return err
		}
		logger.Debug("sample data loaded", "feature", l.name)
	}
	return nil
}
