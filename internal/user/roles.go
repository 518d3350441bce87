package user

import (
	"context"
	"errors"
)

// ErrLastAdmin is returned when a change would leave the bot without any
// admin: the last admin can neither be demoted nor erase their data.
var ErrLastAdmin = errors.New("the last admin cannot give up the admin role")

// Roles lists every role from least to most privileged.
var Roles = []Role{RolePublic, RoleMember, RoleCounsellor, RoleCoordinator, RoleAdmin}

// RoleStore changes roles. Implemented in internal/postgres (UserStore).
type RoleStore interface {
	// SetRole gives the user exactly role, creating the user if the bot
	// has never seen them, and returns the role they had before
	// (RolePublic for a new user). It returns ErrLastAdmin instead of
	// demoting the only admin.
	SetRole(ctx context.Context, id int64, role Role) (previous Role, err error)
	// Privileged lists the users with a role above public, highest first.
	Privileged(ctx context.Context) ([]User, error)
}
