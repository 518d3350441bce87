// Package member is the network's membership: Telegram users linked to a
// member organisation, their working groups, invite links and how they
// want to be reminded. Roles are user.Role (users.role); this package adds
// what a role means for the network (who may manage what).
//
// No SQL and no Telegram here: the store is implemented in internal/postgres
// and the chat in internal/bot.
package member

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/netzbot/netzbot/internal/user"
)

// Errors the bot maps to localized messages.
var (
	ErrNotMember     = errors.New("not a member of the network")
	ErrNotFound      = errors.New("not found")
	ErrInviteUnknown = errors.New("invite unknown")
	ErrInviteExpired = errors.New("invite expired")
	ErrInviteUsedUp  = errors.New("invite used up")
	// ErrInviteAlreadyUsed: this user already used this very invite.
	ErrInviteAlreadyUsed = errors.New("invite already used by this user")
	ErrGroupClosed       = errors.New("working group has ended")
)

// Organisation is a member organisation (the organisations table, shared
// with the offer directory and booking).
type Organisation struct {
	ID         int64
	ExternalID string
	Name       string
}

// Member is a Telegram user linked to an organisation.
type Member struct {
	UserID       int64
	Organisation Organisation
	Name         string
	Role         user.Role
	Active       bool
	// Paused: no reminders at all until resumed.
	Paused bool
	// LeadMinutes are the member's own reminder lead times; nil means the
	// meeting's defaults.
	LeadMinutes []int
}

// Group is a working group.
type Group struct {
	ID          int64
	ExternalID  string
	Name        Text
	Description Text
	// EndsOn is the last day of a temporary group; zero for a standing one.
	EndsOn        time.Time
	NeedsApproval bool
	Active        bool
}

// MaxGroupName bounds a working group's name as typed in the chat.
const MaxGroupName = 80

// Temporary reports whether the group has an end date.
func (g *Group) Temporary() bool { return !g.EndsOn.IsZero() }

// Ended reports whether a temporary group is over at now (in loc).
func (g *Group) Ended(now time.Time, loc *time.Location) bool {
	if !g.Active {
		return true
	}
	if g.EndsOn.IsZero() {
		return false
	}
	y, m, d := g.EndsOn.Date()
	return !now.Before(time.Date(y, m, d+1, 0, 0, 0, 0, loc))
}

// Membership states of a member in a group.
const (
	StatusNone    = ""
	StatusPending = "pending" // waits for a coordinator's approval
	StatusActive  = "active"
)

// GroupView is a group as one member sees it.
type GroupView struct {
	Group
	Status string // StatusNone, StatusPending or StatusActive
	Muted  bool
}

// Text is a text in several languages: {"de": "...", "en": "..."}.
type Text map[string]string

// In returns the text in lang, else German, else English, else any.
func (t Text) In(lang string) string {
	for _, l := range []string{lang, "de", "en"} {
		if s := t[l]; s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}

// CanManageNetwork reports whether a role may invite, create meetings and
// send broadcasts. The bot checks it against the role stored in the
// database for every privileged command and button, never against what a
// button showed.
func CanManageNetwork(r user.Role) bool { return r.AtLeast(user.RoleCoordinator) }

// CanInvite reports whether a role may create invites granting role: a
// coordinator invites members, an admin also coordinators.
func CanInvite(by, role user.Role) bool {
	switch role {
	case user.RoleMember:
		return by.AtLeast(user.RoleCoordinator)
	case user.RoleCoordinator:
		return by.AtLeast(user.RoleAdmin)
	}
	return false
}

// LeadOptions are the reminder lead times a member can choose from, in
// minutes: 7 days, 3 days, 1 day, 2 hours, 1 hour, 30 minutes.
var LeadOptions = []int{7 * 1440, 3 * 1440, 1440, 120, 60, 30}

// DefaultLeadMinutes are the lead times of a meeting unless set otherwise.
var DefaultLeadMinutes = []int{7 * 1440, 1440, 120}

// ValidLeads reports whether every lead is one of LeadOptions.
func ValidLeads(leads []int) bool {
	for _, l := range leads {
		if !slices.Contains(LeadOptions, l) {
			return false
		}
	}
	return true
}

// NormalizeLeads sorts lead times from the longest and removes duplicates.
func NormalizeLeads(leads []int) []int {
	out := slices.Clone(leads)
	slices.Sort(out)
	out = slices.Compact(out)
	slices.Reverse(out)
	return out
}

// Store keeps members, groups and invites. Implemented in internal/postgres.
// Every change that affects who is reminded of what (joining, leaving,
// muting, pausing, lead times) regenerates the member's reminders in the
// same transaction.
type Store interface {
	// Get returns ErrNotMember for a user who is no (active) member.
	Get(ctx context.Context, userID int64) (*Member, error)
	// Organisations finds active organisations whose name contains query
	// (all if empty), by name.
	Organisations(ctx context.Context, query string, limit int) ([]Organisation, error)
	Organisation(ctx context.Context, id int64) (*Organisation, error)

	// CreateInvite stores the invite and returns the token for the link;
	// only its hash is kept.
	CreateInvite(ctx context.Context, spec InviteSpec, now time.Time) (string, error)
	// RedeemInvite makes the user a member of the invite's organisation
	// (and groups) and raises their role. ErrInviteUnknown, ErrInviteExpired,
	// ErrInviteUsedUp or ErrInviteAlreadyUsed change nothing.
	RedeemInvite(ctx context.Context, token string, userID int64, name string, now time.Time) (*Redemption, error)
	// Leave ends a membership: no more reminders or invitations.
	Leave(ctx context.Context, userID int64, now time.Time) error

	// Groups lists the member's groups and the open ones they may join.
	Groups(ctx context.Context, userID int64, now time.Time) ([]GroupView, error)
	// AllGroups lists active groups that have not ended, for coordinators.
	AllGroups(ctx context.Context, now time.Time) ([]Group, error)
	// CreateGroup stores a new working group (ID and ExternalID unset: one
	// made in the chat) and returns its id.
	CreateGroup(ctx context.Context, g Group) (int64, error)
	// Group returns ErrNotFound for an unknown group.
	Group(ctx context.Context, id int64) (*Group, error)
	GroupView(ctx context.Context, groupID, userID int64) (*GroupView, error)
	// JoinGroup adds the member (pending if the group needs approval) and
	// returns the new status. ErrGroupClosed for an ended group.
	JoinGroup(ctx context.Context, groupID, userID int64, now time.Time) (string, error)
	LeaveGroup(ctx context.Context, groupID, userID int64, now time.Time) error
	// DecideJoin approves or declines a pending request; ErrNotFound if
	// there is none.
	DecideJoin(ctx context.Context, groupID, userID int64, approve bool, now time.Time) error
	SetGroupMuted(ctx context.Context, groupID, userID int64, muted bool, now time.Time) error

	SetLeadTimes(ctx context.Context, userID int64, minutes []int, now time.Time) error
	SetPaused(ctx context.Context, userID int64, paused bool, now time.Time) error
	// Coordinators lists active users with role coordinator or admin.
	Coordinators(ctx context.Context) ([]int64, error)
}
