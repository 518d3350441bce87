package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/user"
)

// SessionStore loads a user with their flow state and offer filters.
type SessionStore struct {
	Pool *pgxpool.Pool
	// Users touches users the read finds missing or changed; nil: a
	// UserStore on Pool.
	Users user.Store
}

var _ conversation.SessionStore = (*SessionStore)(nil)

// Open is one SELECT in the common case (a known, active user whose
// Telegram language did not change); otherwise the user is touched first.
func (s *SessionStore) Open(ctx context.Context, userID int64, telegramLanguage string) (*conversation.Session, error) {
	ss, err := s.read(ctx, userID)
	if err == nil && ss.User.Active && ss.User.TelegramLanguage == telegramLanguage {
		return ss, nil
	}
	if err != nil && !errors.Is(err, user.ErrNotFound) {
		return nil, err
	}
	users := s.Users
	if users == nil {
		users = &UserStore{Pool: s.Pool}
	}
	if _, err := users.Touch(ctx, userID, telegramLanguage); err != nil {
		return nil, err
	}
	return s.read(ctx, userID)
}

func (s *SessionStore) read(ctx context.Context, userID int64) (*conversation.Session, error) {
	var (
		ss         conversation.Session
		u          user.User
		role       string
		flow, step *string
		data       map[string]string
		myLang     *bool
		freeOnly   *bool
		tg, dist   *string
		lat, lon   *float64
		located    *time.Time
	)
	err := s.Pool.QueryRow(ctx, `
		SELECT u.id, coalesce(u.language, ''), u.telegram_language, u.role, u.active, u.created_at,
		       c.flow, c.step, c.data,
		       f.my_language, f.free_only, f.target_group, f.district, f.latitude, f.longitude, f.located_at
		  FROM users u
		  LEFT JOIN conversations c ON c.user_id = u.id
		  LEFT JOIN offer_filters f ON f.user_id = u.id
		 WHERE u.id = $1`, userID).Scan(
		&u.ID, &u.Language, &u.TelegramLanguage, &role, &u.Active, &u.CreatedAt,
		&flow, &step, &data,
		&myLang, &freeOnly, &tg, &dist, &lat, &lon, &located)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, user.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	u.Role = user.Role(role)
	ss.User = &u
	if flow != nil && step != nil {
		ss.State = conversation.State{Flow: *flow, Step: *step, Data: data}
	}
	if myLang != nil {
		f := &ss.Filters
		f.MyLanguage, f.FreeOnly, f.TargetGroup, f.District = *myLang, *freeOnly, *tg, *dist
		if lat != nil && lon != nil && located != nil {
			f.Lat, f.Lon, f.LocatedAt = *lat, *lon, *located
		}
	}
	return &ss, nil
}
