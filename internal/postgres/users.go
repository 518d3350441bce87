package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/user"
)

// UserStore keeps Telegram users in the users table.
type UserStore struct{ Pool *pgxpool.Pool }

var _ user.Store = (*UserStore)(nil)

const userColumns = `id, coalesce(language, ''), telegram_language, role, active, created_at`

func scanUser(row pgx.Row) (*user.User, error) {
	var u user.User
	var role string
	if err := row.Scan(&u.ID, &u.Language, &u.TelegramLanguage, &role, &u.Active, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.Role = user.Role(role)
	return &u, nil
}

// Touch creates or refreshes a user. It runs for every update, so it
// reads first and writes only when something changed: one plain SELECT in
// the common case (the upsert alone would lock the row and write WAL even
// when it changes nothing).
func (s *UserStore) Touch(ctx context.Context, id int64, telegramLanguage string) (*user.User, error) {
	u, err := s.Get(ctx, id)
	if err == nil && u.Active && u.TelegramLanguage == telegramLanguage {
		return u, nil
	}
	if err != nil && !errors.Is(err, user.ErrNotFound) {
		return nil, err
	}
	u, err = scanUser(s.Pool.QueryRow(ctx, `
		INSERT INTO users (id, telegram_language) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE
		   SET telegram_language = EXCLUDED.telegram_language, active = true, updated_at = now()
		 WHERE users.telegram_language IS DISTINCT FROM EXCLUDED.telegram_language OR NOT users.active
		RETURNING `+userColumns, id, telegramLanguage))
	if errors.Is(err, pgx.ErrNoRows) { // nothing changed: read it
		return s.Get(ctx, id)
	}
	if err != nil {
		return nil, fmt.Errorf("touch user: %w", err)
	}
	return u, nil
}

// Get returns user.ErrNotFound for an unknown id.
func (s *UserStore) Get(ctx context.Context, id int64) (*user.User, error) {
	u, err := scanUser(s.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, user.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get user: %w", err)
	}
	return u, nil
}

// SetLanguage stores the user's chosen locale.
func (s *UserStore) SetLanguage(ctx context.Context, id int64, lang string) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE users SET language = $2, updated_at = now() WHERE id = $1`, id, lang)
	if err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return user.ErrNotFound
	}
	return nil
}

// SetActive records whether Telegram still delivers to the user.
func (s *UserStore) SetActive(ctx context.Context, id int64, active bool) error {
	if _, err := s.Pool.Exec(ctx, `UPDATE users SET active = $2, updated_at = now() WHERE id = $1 AND active <> $2`, id, active); err != nil {
		return fmt.Errorf("set active: %w", err)
	}
	return nil
}

// EnsureRole raises the given users to at least role; it never lowers one.
func (s *UserStore) EnsureRole(ctx context.Context, ids []int64, role user.Role) error {
	if !role.Valid() {
		return fmt.Errorf("ensure role: unknown role %q", role)
	}
	for _, id := range ids {
		u, err := s.Touch(ctx, id, "")
		if err != nil {
			return err
		}
		if u.Role.AtLeast(role) {
			continue
		}
		if _, err := s.Pool.Exec(ctx, `UPDATE users SET role = $2, updated_at = now() WHERE id = $1`, id, string(role)); err != nil {
			return fmt.Errorf("ensure role: %w", err)
		}
	}
	return nil
}
