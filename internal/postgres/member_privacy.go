package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/privacy"
)

// MemberPrivacy is the network's share of personal data: the membership
// in an organisation (with the display name taken from Telegram), working
// groups, replies to meetings, invites used, and what a coordinator
// created (invites, meetings, broadcasts), which stays for the others but
// no longer names them.
type MemberPrivacy struct{ Pool *pgxpool.Pool }

var _ privacy.PersonalData = (*MemberPrivacy)(nil)

// Export returns the membership, groups, replies and broadcasts sent.
func (p *MemberPrivacy) Export(ctx context.Context, userID int64) (map[string]any, error) {
	out := map[string]any{}
	var org, name string
	var active, paused bool
	var joined time.Time
	var lead []int32
	err := p.Pool.QueryRow(ctx, `
		SELECT o.name, m.display_name, m.active, m.paused, m.lead_minutes, m.joined_at
		  FROM members m JOIN organisations o ON o.id = m.organisation_id WHERE m.user_id = $1`, userID).
		Scan(&org, &name, &active, &paused, &lead, &joined)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
	case err != nil:
		return nil, fmt.Errorf("export membership: %w", err)
	default:
		out["membership"] = map[string]any{"organisation": org, "display_name": name, "active": active,
			"reminders_paused": paused, "reminder_lead_minutes": lead, "joined_at": joined.UTC()}
	}
	groups, err := privacyRows(ctx, p.Pool, `
		SELECT jsonb_build_object('group', coalesce(g.name->>'de', g.name::text), 'status', gm.status, 'muted', gm.muted, 'joined_at', gm.joined_at)
		  FROM group_members gm JOIN working_groups g ON g.id = gm.group_id WHERE gm.user_id = $1 ORDER BY gm.joined_at`, userID)
	if err != nil {
		return nil, fmt.Errorf("export groups: %w", err)
	}
	if len(groups) > 0 {
		out["working_groups"] = groups
	}
	rsvps, err := privacyRows(ctx, p.Pool, `
		SELECT jsonb_build_object('meeting', coalesce(m.title->>'de', m.title::text), 'starts_at', o.starts_at, 'response', r.response, 'responded_at', r.responded_at)
		  FROM rsvps r JOIN meeting_occurrences o ON o.id = r.occurrence_id JOIN meetings m ON m.id = o.meeting_id
		 WHERE r.user_id = $1 ORDER BY o.starts_at`, userID)
	if err != nil {
		return nil, fmt.Errorf("export replies: %w", err)
	}
	if len(rsvps) > 0 {
		out["meeting_replies"] = rsvps
	}
	sent, err := privacyRows(ctx, p.Pool, `
		SELECT jsonb_build_object('audience', audience, 'text', body, 'sent_at', created_at)
		  FROM broadcasts WHERE sender_id = $1 ORDER BY created_at`, userID)
	if err != nil {
		return nil, fmt.Errorf("export broadcasts: %w", err)
	}
	if len(sent) > 0 {
		out["broadcasts_sent"] = sent
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// Erase deletes the membership, group memberships, replies and invite
// uses, and unlinks the user from the invites, meetings and broadcasts
// they created, which the network keeps.
func (p *MemberPrivacy) Erase(ctx context.Context, userID int64) (privacy.Counts, error) {
	c := privacy.Counts{}
	err := pgx.BeginFunc(ctx, p.Pool, func(tx pgx.Tx) error {
		for _, st := range []struct{ key, sql string }{
			{"rsvps", `DELETE FROM rsvps WHERE user_id = $1`},
			{"groups", `DELETE FROM group_members WHERE user_id = $1`},
			{"member", `DELETE FROM members WHERE user_id = $1`},
			{"invite_uses", `DELETE FROM invite_uses WHERE user_id = $1`},
			{"invites", `UPDATE invites SET created_by = NULL WHERE created_by = $1`},
			{"meetings", `UPDATE meetings SET created_by = NULL WHERE created_by = $1`},
			{"broadcasts", `UPDATE broadcasts SET sender_id = 0 WHERE sender_id = $1`},
		} {
			tag, err := tx.Exec(ctx, st.sql, userID)
			if err != nil {
				return fmt.Errorf("erase %s: %w", st.key, err)
			}
			if n := int(tag.RowsAffected()); n > 0 {
				c[st.key] = n
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// privacyRows runs a query returning one jsonb value per row.
func privacyRows(ctx context.Context, pool *pgxpool.Pool, sql string, args ...any) ([]map[string]any, error) {
	rows, err := pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[map[string]any])
}
