package member

import (
	"context"
	"fmt"
	"time"
)

// Notification kinds of broadcasts: one per recipient, progress messages
// and the final report to the sender.
const (
	KindBroadcast         = "broadcast"
	KindBroadcastProgress = "broadcast_progress"
	KindBroadcastReport   = "broadcast_report"
)

// Audience kinds of a broadcast.
const (
	AudienceAll          = "all"
	AudienceOrganisation = "organisation"
	AudienceGroup        = "group"
)

// Audience is who a broadcast goes to: all active members, the members of
// one organisation or of one working group.
type Audience struct {
	Kind string
	ID   int64 // organisation or group id; 0 for all
}

// Validate checks the audience's shape.
func (a Audience) Validate() error {
	switch {
	case a.Kind == AudienceAll && a.ID == 0:
	case (a.Kind == AudienceOrganisation || a.Kind == AudienceGroup) && a.ID > 0:
	default:
		return fmt.Errorf("broadcast: bad audience %q %d", a.Kind, a.ID)
	}
	return nil
}

// MaxBroadcastLength is the longest announcement text, in characters.
const MaxBroadcastLength = 3500

// Broadcast is an announcement as stored.
type Broadcast struct {
	ID         int64
	SenderID   int64
	SenderName string
	SenderOrg  string
	Audience   Audience
	Body       string
	Total      int
	CreatedAt  time.Time
}

// Report is where a broadcast stands.
type Report struct {
	Broadcast
	Delivered, Blocked, Failed, Pending int
	// BlockedNames are the members who blocked the bot, "Name (Organisation)".
	BlockedNames []string
}

// Done reports whether every recipient has a final outcome.
func (r *Report) Done() bool { return r.Pending == 0 }

// BroadcastStore keeps broadcasts. Each recipient is one notification of
// kind "broadcast" in the queue, so the worker, not the handler, sends it.
type BroadcastStore interface {
	// Recipients counts who the audience reaches now.
	Recipients(ctx context.Context, a Audience) (int, error)
	// Create stores the broadcast and queues one notification per recipient.
	Create(ctx context.Context, senderID int64, a Audience, body string, now time.Time) (*Broadcast, error)
	// Get returns ErrNotFound for an unknown broadcast.
	Get(ctx context.Context, id int64) (*Broadcast, error)
	// Report counts the outcomes so far.
	Report(ctx context.Context, id int64) (*Report, error)
	// Sweep queues progress messages and, once every recipient has an
	// outcome, the final report to the sender, each exactly once. It
	// returns how many it queued.
	Sweep(ctx context.Context, now time.Time) (int, error)
}
