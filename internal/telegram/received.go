package telegram

import (
	"context"
	"time"
)

type receivedKey struct{}

// WithReceived records in ctx when an update reached the bot: the poller
// sets the time getUpdates returned, the webhook the time of the request.
func WithReceived(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, receivedKey{}, t)
}

// ReceivedAt is when the update being handled reached the bot, or now if
// nobody recorded it. Flood control counts updates by it: the updates of
// one chat are handled one after the other, so a burst that arrived at
// once would otherwise look as slow as the replies it gets.
func ReceivedAt(ctx context.Context) time.Time {
	if t, ok := ctx.Value(receivedKey{}).(time.Time); ok {
		return t
	}
	return time.Now()
}
