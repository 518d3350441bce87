// Package meeting is the network's meetings: network meetings for all
// members and working-group sessions, once or recurring, their occurrences,
// the members' answers (RSVP) and the reminders of them.
//
// Reminders are rows of the notification queue (internal/notify), one per
// occurrence, member and lead time, with a unique key. They are computed,
// never encoded as timers or cron entries: the due time of a reminder is
// the occurrence's start minus the lead time (whole days in local calendar
// days, so a 09:00 meeting is announced at 09:00 also across a
// daylight-saving change). The store regenerates them idempotently whenever
// something that affects them changes: a meeting is created or edited, a
// member joins or leaves, mutes a group, pauses, answers "no" or changes
// lead times.
package meeting

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/user"
)

// Notification kinds of this package, rendered by the bot.
const (
	KindReminder = "meeting_reminder"
	KindChange   = "meeting_change"
	KindCancel   = "meeting_cancel"
)

// Errors the bot maps to localized messages.
var (
	ErrNotFound           = errors.New("meeting not found")
	ErrNotInvited         = errors.New("not invited to this meeting")
	ErrStarted            = errors.New("meeting has started")
	ErrCancelled          = errors.New("meeting is cancelled")
	ErrRegistrationClosed = errors.New("registration is closed")
)

// Limits of a meeting's values.
const (
	MaxTitle       = 200
	MaxAgenda      = 2000
	MaxPlace       = 300
	MaxLeadMinutes = 60 * 1440
	// Horizon is how far ahead a recurring meeting's occurrences exist.
	Horizon = 180 * 24 * time.Hour
	// MaxExpand bounds the occurrences expanded at once.
	MaxExpand = 120
)

// Meeting is a network meeting (GroupID 0) or a working-group session.
type Meeting struct {
	ID         int64
	ExternalID string
	// GroupID is the working group whose members are invited; 0 invites
	// all members.
	GroupID   int64
	GroupName member.Text
	// OrganisationID hosts the meeting: its coordinators manage it.
	OrganisationID int64
	Title          member.Text
	Description    member.Text
	Agenda         string
	Venue          string
	OnlineURL      string
	// Start is the first (or only) occurrence's start.
	Start    time.Time
	Duration time.Duration
	// Recurrence is a cron-style rule in the meeting time zone; "" once.
	Recurrence  string
	RepeatUntil time.Time
	// RegistrationBefore closes registration this long before each start;
	// 0 keeps it open until the start.
	RegistrationBefore time.Duration
	// LeadMinutes are the default reminder lead times.
	LeadMinutes []int
	CreatedBy   int64
	Cancelled   bool
}

// Recurring reports whether the meeting repeats.
func (m *Meeting) Recurring() bool { return m.Recurrence != "" }

// Validate checks a meeting's values.
func (m *Meeting) Validate(loc *time.Location) error {
	switch {
	case strings.TrimSpace(m.Title.In("de")) == "":
		return fmt.Errorf("meeting: title required")
	case len([]rune(m.Title.In("de"))) > MaxTitle:
		return fmt.Errorf("meeting: title longer than %d characters", MaxTitle)
	case m.Start.IsZero():
		return fmt.Errorf("meeting: start required")
	case m.Duration < time.Minute || m.Duration > 24*time.Hour:
		return fmt.Errorf("meeting: duration must be between 1 minute and 24 hours")
	case strings.TrimSpace(m.Venue) == "" && strings.TrimSpace(m.OnlineURL) == "":
		return fmt.Errorf("meeting: venue or online link required")
	case len([]rune(m.Venue)) > MaxPlace || len(m.OnlineURL) > MaxPlace:
		return fmt.Errorf("meeting: venue or link longer than %d characters", MaxPlace)
	case len([]rune(m.Agenda)) > MaxAgenda:
		return fmt.Errorf("meeting: agenda longer than %d characters", MaxAgenda)
	case m.RegistrationBefore < 0:
		return fmt.Errorf("meeting: negative registration deadline")
	}
	if m.OnlineURL != "" && !IsURL(m.OnlineURL) {
		return fmt.Errorf("meeting: online link %q is not an http(s) URL", m.OnlineURL)
	}
	for _, l := range m.LeadMinutes {
		if l <= 0 || l > MaxLeadMinutes {
			return fmt.Errorf("meeting: lead time %d minutes out of range", l)
		}
	}
	if m.Recurring() {
		if _, err := ParseRule(m.Recurrence, loc); err != nil {
			return err
		}
	}
	return nil
}

// IsURL reports whether s is an absolute http(s) URL.
func IsURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \n\t<>\"")
}

// Occurrence is one date of a meeting.
type Occurrence struct {
	ID        int64
	MeetingID int64
	Start     time.Time
	End       time.Time
	// Revision grows whenever Start moves; reminder keys contain it, so a
	// moved occurrence is reminded of afresh, relative to its new time.
	Revision  int
	Cancelled bool
}

// RegistrationDeadline is when registration for o closes; zero if open
// until the start.
func (o *Occurrence) RegistrationDeadline(m *Meeting) time.Time {
	if m.RegistrationBefore <= 0 {
		return time.Time{}
	}
	return o.Start.Add(-m.RegistrationBefore)
}

// Response is a member's answer to an occurrence.
type Response string

// Responses; "" is no answer yet.
const (
	None  Response = ""
	Yes   Response = "yes"
	No    Response = "no"
	Maybe Response = "maybe"
)

// Valid reports whether r is an answer one can give.
func (r Response) Valid() bool { return r == Yes || r == No || r == Maybe }

// Counts are the answers to an occurrence.
type Counts struct{ Invited, Yes, No, Maybe int }

// Item is an occurrence with its meeting, as listed to someone.
type Item struct {
	Occurrence Occurrence
	Meeting    *Meeting
	Response   Response // the viewer's answer
	Counts     Counts
}

// Attendee is an invited member and their answer.
type Attendee struct {
	UserID       int64
	Name         string
	Organisation string
	Response     Response
	RespondedAt  time.Time
}

// Change says what an update changed and whom it told.
type Change struct {
	Time, Place bool
	// Notified counts the change notices queued.
	Notified int
}

// CanManage reports whether a user with role, belonging to organisation
// orgID (0 if none), may edit, cancel and see the answers of m: admins
// every meeting, coordinators those their organisation hosts.
func CanManage(role user.Role, orgID int64, m *Meeting) bool {
	switch {
	case role.AtLeast(user.RoleAdmin):
		return true
	case role.AtLeast(user.RoleCoordinator):
		return orgID != 0 && m.OrganisationID == orgID
	}
	return false
}

// Store keeps meetings. Implemented in internal/postgres; every method that
// changes a meeting regenerates its reminders and queues the notices in the
// same transaction.
type Store interface {
	// Location is the meetings' time zone (TZ_NAME).
	Location() *time.Location
	// Create stores m, expands its occurrences and queues the reminders; it
	// returns the stored meeting and how many members are invited.
	Create(ctx context.Context, m *Meeting, now time.Time) (*Meeting, int, error)
	// Update replaces m's editable values (title, description, agenda,
	// place, start, duration, rule, lead times). A changed time or place
	// queues a change notice to everyone invited; reminders are regenerated.
	Update(ctx context.Context, m *Meeting, now time.Time) (*Change, error)
	// Cancel cancels one occurrence, or with occurrenceID 0 the whole
	// meeting: notices to everyone invited, pending reminders removed.
	// It returns how many notices it queued.
	Cancel(ctx context.Context, meetingID, occurrenceID int64, now time.Time) (int, error)
	// Get returns ErrNotFound for an unknown id.
	Get(ctx context.Context, id int64) (*Meeting, error)
	// Occurrence returns an occurrence with its meeting; ErrNotFound.
	Occurrence(ctx context.Context, id int64) (*Occurrence, *Meeting, error)
	// Next is the meeting's next occurrence that has not started; ErrNotFound.
	Next(ctx context.Context, meetingID int64, now time.Time) (*Occurrence, error)
	// Upcoming lists the occurrences a member is invited to, soonest first.
	Upcoming(ctx context.Context, userID int64, now time.Time, limit int) ([]Item, error)
	// Managed lists upcoming occurrences hosted by orgID (0: all), with counts.
	Managed(ctx context.Context, orgID int64, now time.Time, limit int) ([]Item, error)
	// Invited reports whether the user is invited to the occurrence.
	Invited(ctx context.Context, occurrenceID, userID int64) (bool, error)
	// Respond records an answer and regenerates the member's reminders of
	// it. ErrNotInvited, ErrStarted, ErrCancelled, ErrRegistrationClosed.
	Respond(ctx context.Context, occurrenceID, userID int64, r Response, now time.Time) error
	Response(ctx context.Context, occurrenceID, userID int64) (Response, error)
	Counts(ctx context.Context, occurrenceID int64) (Counts, error)
	// Attendees lists everyone invited with their answer, by name.
	Attendees(ctx context.Context, occurrenceID int64) ([]Attendee, error)
	// Superseded reports whether a shorter reminder of the same occurrence
	// is also due for the user (after downtime only the latest is sent).
	Superseded(ctx context.Context, userID, occurrenceID int64, lead int, now time.Time) (bool, error)
	// Maintain expands recurring meetings up to the horizon and returns how
	// many occurrences it added.
	Maintain(ctx context.Context, now time.Time) (int, error)
}
