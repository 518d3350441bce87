// Package user holds the people the bot talks to and what the bot may
// remember about them: their Telegram id, their language and their role.
package user

import (
	"context"
	"errors"
	"time"
)

// Role says what a user may do; each role may do everything of the roles
// listed before it.
type Role string

// Roles, from least to most privileged.
const (
	RolePublic      Role = "public"
	RoleMember      Role = "member"
	RoleCounsellor  Role = "counsellor"
	RoleCoordinator Role = "coordinator"
	RoleAdmin       Role = "admin"
)

var rank = map[Role]int{RolePublic: 0, RoleMember: 1, RoleCounsellor: 2, RoleCoordinator: 3, RoleAdmin: 4}

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return rank[r] >= rank[min] }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := rank[r]; return ok }

// User is a Telegram user known to the bot.
type User struct {
	ID               int64  // Telegram user id
	Language         string // chosen locale; "" until the user picked one
	TelegramLanguage string // language_code Telegram reported last
	Role             Role
	Active           bool // false once Telegram said the user blocked the bot
	CreatedAt        time.Time
}

// ErrNotFound is returned for an unknown user id.
var ErrNotFound = errors.New("user not found")

// Store keeps users. Implemented in internal/postgres.
type Store interface {
	// Touch creates the user on first contact or refreshes what Telegram
	// told us about them, and returns the stored user. A user who writes
	// to the bot is active again even if they had blocked it before.
	Touch(ctx context.Context, id int64, telegramLanguage string) (*User, error)
	Get(ctx context.Context, id int64) (*User, error)
	SetLanguage(ctx context.Context, id int64, lang string) error
	SetActive(ctx context.Context, id int64, active bool) error
	// EnsureRole raises users to at least role, creating them if needed;
	// used to bootstrap admins from ADMIN_IDS.
	EnsureRole(ctx context.Context, ids []int64, role Role) error
}
