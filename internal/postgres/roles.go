package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/netzbot/netzbot/internal/user"
)

var _ user.RoleStore = (*UserStore)(nil)

// SetRole sets a user's role. The admins are locked first, so two admins
// demoting each other at the same moment cannot both succeed and leave
// the bot without one.
func (s *UserStore) SetRole(ctx context.Context, id int64, role user.Role) (user.Role, error) {
	if !role.Valid() {
		return "", fmt.Errorf("set role: unknown role %q", role)
	}
	var previous user.Role
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		admins, err := lockAdmins(ctx, tx)
		if err != nil {
			return err
		}
		var old string
		err = tx.QueryRow(ctx, `SELECT role FROM users WHERE id = $1 FOR UPDATE`, id).Scan(&old)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			old = string(user.RolePublic)
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, role) VALUES ($1, $2)`, id, string(role)); err != nil {
				return fmt.Errorf("set role: %w", err)
			}
		case err != nil:
			return fmt.Errorf("set role: %w", err)
		default:
			if old == string(user.RoleAdmin) && role != user.RoleAdmin && admins <= 1 {
				return user.ErrLastAdmin
			}
			if _, err := tx.Exec(ctx, `UPDATE users SET role = $2, updated_at = now() WHERE id = $1`, id, string(role)); err != nil {
				return fmt.Errorf("set role: %w", err)
			}
		}
		previous = user.Role(old)
		return nil
	})
	return previous, err
}

// lockAdmins locks the admins' rows and counts them.
func lockAdmins(ctx context.Context, tx pgx.Tx) (int, error) {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = 'admin' ORDER BY id FOR UPDATE`)
	if err != nil {
		return 0, fmt.Errorf("lock admins: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("lock admins: %w", err)
	}
	return len(ids), nil
}

// Privileged lists users above public, highest role first.
func (s *UserStore) Privileged(ctx context.Context) ([]user.User, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE role <> 'public'
		ORDER BY array_position(ARRAY['admin','coordinator','counsellor','member'], role), id`)
	if err != nil {
		return nil, fmt.Errorf("list privileged users: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (user.User, error) {
		u, err := scanUser(r)
		if err != nil {
			return user.User{}, err
		}
		return *u, nil
	})
}
