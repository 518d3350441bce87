package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/user"
)

// MemberStore keeps members, working groups and invites. Every change that
// affects reminders regenerates them in the same transaction (see
// mtSyncReminders in meetings.go).
type MemberStore struct {
	Pool *pgxpool.Pool
	// Loc is the network's time zone (TZ_NAME), for group end dates.
	Loc *time.Location
}

var _ member.Store = (*MemberStore)(nil)

func (s *MemberStore) loc() *time.Location { return mbLoc(s.Loc) }

// Get returns member.ErrNotMember for a user who is no active member.
func (s *MemberStore) Get(ctx context.Context, userID int64) (*member.Member, error) {
	var m member.Member
	var role string
	err := s.Pool.QueryRow(ctx, `
		SELECT m.user_id, o.id, o.external_id, o.name, m.display_name, u.role, m.active, m.paused, m.lead_minutes
		  FROM members m JOIN organisations o ON o.id = m.organisation_id JOIN users u ON u.id = m.user_id
		 WHERE m.user_id = $1 AND m.active`, userID).
		Scan(&m.UserID, &m.Organisation.ID, &m.Organisation.ExternalID, &m.Organisation.Name, &m.Name, &role, &m.Active, &m.Paused, &m.LeadMinutes)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, member.ErrNotMember
	}
	if err != nil {
		return nil, fmt.Errorf("get member: %w", err)
	}
	m.Role = user.Role(role)
	return &m, nil
}

// Organisations finds active organisations by a part of their name.
func (s *MemberStore) Organisations(ctx context.Context, query string, limit int) ([]member.Organisation, error) {
	query = strings.TrimSpace(query)
	rows, err := s.Pool.Query(ctx, `
		SELECT id, external_id, name FROM organisations
		 WHERE active AND ($1 = '' OR name ILIKE '%' || $2 || '%' OR external_id = $1)
		 ORDER BY lower(name), id LIMIT $3`, query, escapeLike(query), limit)
	if err != nil {
		return nil, fmt.Errorf("find organisations: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (member.Organisation, error) {
		var o member.Organisation
		return o, r.Scan(&o.ID, &o.ExternalID, &o.Name)
	})
}

// Organisation returns member.ErrNotFound for an unknown or inactive one.
func (s *MemberStore) Organisation(ctx context.Context, id int64) (*member.Organisation, error) {
	var o member.Organisation
	err := s.Pool.QueryRow(ctx, `SELECT id, external_id, name FROM organisations WHERE id = $1 AND active`, id).Scan(&o.ID, &o.ExternalID, &o.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, member.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get organisation: %w", err)
	}
	return &o, nil
}

// OrganisationByExternalID is for the command line, which names
// organisations by their import id (or their numeric id).
func (s *MemberStore) OrganisationByExternalID(ctx context.Context, ext string) (*member.Organisation, error) {
	var o member.Organisation
	err := s.Pool.QueryRow(ctx, `SELECT id, external_id, name FROM organisations
		WHERE external_id = $1 OR id::text = $1 ORDER BY external_id = $1 DESC LIMIT 1`, ext).
		Scan(&o.ID, &o.ExternalID, &o.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("organisation %q: %w", ext, member.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get organisation: %w", err)
	}
	return &o, nil
}

// GroupIDsByExternalID resolves working groups named on the command line.
func (s *MemberStore) GroupIDsByExternalID(ctx context.Context, exts []string) ([]int64, error) {
	var out []int64
	for _, ext := range exts {
		var id int64
		err := s.Pool.QueryRow(ctx, `SELECT id FROM working_groups
			WHERE external_id = $1 OR id::text = $1 ORDER BY external_id = $1 DESC NULLS LAST LIMIT 1`, ext).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("working group %q: %w", ext, member.ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("get working group: %w", err)
		}
		out = append(out, id)
	}
	return out, nil
}

// CreateInvite stores an invite by the hash of a fresh token and returns
// the token.
func (s *MemberStore) CreateInvite(ctx context.Context, spec member.InviteSpec, now time.Time) (string, error) {
	if err := spec.Validate(now); err != nil {
		return "", err
	}
	token, err := member.NewToken()
	if err != nil {
		return "", err
	}
	groups := spec.GroupIDs
	if groups == nil {
		groups = []int64{}
	}
	var createdBy *int64
	if spec.CreatedBy != 0 {
		createdBy = &spec.CreatedBy
	}
	tag, err := s.Pool.Exec(ctx, `
		INSERT INTO invites (token_hash, organisation_id, role, group_ids, max_uses, expires_at, created_by, created_at)
		SELECT $1, o.id, $3, $4, $5, $6, $7, $8 FROM organisations o
		 WHERE o.id = $2 AND o.active
		   AND (SELECT count(*) FROM working_groups g WHERE g.id = ANY($4) AND g.active) = cardinality($4::bigint[])`,
		member.HashToken(token), spec.OrganisationID, string(spec.Role), groups, spec.MaxUses, spec.ExpiresAt, createdBy, now)
	if err != nil {
		return "", fmt.Errorf("create invite: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return "", fmt.Errorf("create invite: organisation or working group: %w", member.ErrNotFound)
	}
	return token, nil
}

// RedeemInvite makes the user a member. The invite row is locked, so two
// people racing for a single-use link cannot both get in.
func (s *MemberStore) RedeemInvite(ctx context.Context, token string, userID int64, name string, now time.Time) (*member.Redemption, error) {
	if !member.ValidToken(token) {
		return nil, member.ErrInviteUnknown
	}
	var red *member.Redemption
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var id, orgID int64
		var role string
		var groups []int64
		var maxUses, uses int
		var expires time.Time
		err := tx.QueryRow(ctx, `
			SELECT id, organisation_id, role, group_ids, max_uses, uses, expires_at
			  FROM invites WHERE token_hash = $1 FOR UPDATE`, member.HashToken(token)).
			Scan(&id, &orgID, &role, &groups, &maxUses, &uses, &expires)
		if errors.Is(err, pgx.ErrNoRows) {
			return member.ErrInviteUnknown
		}
		if err != nil {
			return fmt.Errorf("read invite: %w", err)
		}
		var used bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM invite_uses WHERE invite_id = $1 AND user_id = $2)`, id, userID).Scan(&used); err != nil {
			return fmt.Errorf("read invite uses: %w", err)
		}
		switch {
		case used:
			return member.ErrInviteAlreadyUsed
		case !now.Before(expires):
			return member.ErrInviteExpired
		case uses >= maxUses:
			return member.ErrInviteUsedUp
		}
		if _, err := tx.Exec(ctx, `UPDATE invites SET uses = uses + 1 WHERE id = $1`, id); err != nil {
			return fmt.Errorf("use invite: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO invite_uses (invite_id, user_id, used_at) VALUES ($1, $2, $3)`, id, userID, now); err != nil {
			return fmt.Errorf("use invite: %w", err)
		}
		// The user exists (the bot touched them); raise their role, never lower it.
		var current string
		if err := tx.QueryRow(ctx, `
			INSERT INTO users (id) VALUES ($1) ON CONFLICT (id) DO UPDATE SET updated_at = users.updated_at
			RETURNING role`, userID).Scan(&current); err != nil {
			return fmt.Errorf("read role: %w", err)
		}
		newRole := user.Role(current)
		if !newRole.AtLeast(user.Role(role)) {
			newRole = user.Role(role)
			if _, err := tx.Exec(ctx, `UPDATE users SET role = $2, updated_at = now() WHERE id = $1`, userID, role); err != nil {
				return fmt.Errorf("grant role: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO members (user_id, organisation_id, display_name, joined_at, updated_at) VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (user_id) DO UPDATE
			   SET organisation_id = EXCLUDED.organisation_id, active = true, updated_at = EXCLUDED.updated_at,
			       display_name = CASE WHEN EXCLUDED.display_name = '' THEN members.display_name ELSE EXCLUDED.display_name END`,
			userID, orgID, name, now); err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO group_members (group_id, user_id, status, joined_at)
			SELECT g.id, $2, 'active', $3 FROM working_groups g
			 WHERE g.id = ANY($1) AND g.active AND (g.ends_on IS NULL OR g.ends_on >= $4::date)
			ON CONFLICT (group_id, user_id) DO UPDATE SET status = 'active'`,
			groups, userID, now, mbLocalDate(now, s.loc())); err != nil {
			return fmt.Errorf("join groups: %w", err)
		}
		red = &member.Redemption{Role: newRole}
		if err := tx.QueryRow(ctx, `SELECT id, external_id, name FROM organisations WHERE id = $1`, orgID).
			Scan(&red.Organisation.ID, &red.Organisation.ExternalID, &red.Organisation.Name); err != nil {
			return fmt.Errorf("read organisation: %w", err)
		}
		if red.Groups, err = mbQueryGroups(ctx, tx, `WHERE g.id = ANY($1) ORDER BY g.id`, groups); err != nil {
			return err
		}
		return mtSyncReminders(ctx, tx, s.loc(), mtScope{UserID: userID}, now)
	})
	if err != nil {
		return nil, err
	}
	return red, nil
}

// Leave ends a membership; a plain member is public again.
func (s *MemberStore) Leave(ctx context.Context, userID int64, now time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE members SET active = false, updated_at = $2 WHERE user_id = $1 AND active`, userID, now)
		if err != nil {
			return fmt.Errorf("leave: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return member.ErrNotMember
		}
		if _, err := tx.Exec(ctx, `DELETE FROM group_members WHERE user_id = $1`, userID); err != nil {
			return fmt.Errorf("leave groups: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET role = 'public', updated_at = now() WHERE id = $1 AND role = 'member'`, userID); err != nil {
			return fmt.Errorf("leave: %w", err)
		}
		return mtSyncReminders(ctx, tx, s.loc(), mtScope{UserID: userID}, now)
	})
}

const mbGroupColumns = `g.id, coalesce(g.external_id, ''), g.name, g.description, g.ends_on, g.needs_approval, g.active`

func mbScanGroup(row pgx.Row, extra ...any) (member.Group, error) {
	var g member.Group
	var ends *time.Time
	err := row.Scan(append([]any{&g.ID, &g.ExternalID, &g.Name, &g.Description, &ends, &g.NeedsApproval, &g.Active}, extra...)...)
	if ends != nil {
		g.EndsOn = *ends
	}
	return g, err
}

func mbQueryGroups(ctx context.Context, q mtQuerier, where string, args ...any) ([]member.Group, error) {
	rows, err := q.Query(ctx, `SELECT `+mbGroupColumns+` FROM working_groups g `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (member.Group, error) { return mbScanGroup(r) })
}

// Groups lists the member's groups and the open ones, by name.
func (s *MemberStore) Groups(ctx context.Context, userID int64, now time.Time) ([]member.GroupView, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT `+mbGroupColumns+`, coalesce(gm.status, ''), coalesce(gm.muted, false)
		  FROM working_groups g LEFT JOIN group_members gm ON gm.group_id = g.id AND gm.user_id = $1
		 WHERE g.active AND (g.ends_on IS NULL OR g.ends_on >= $2::date)
		 ORDER BY gm.status IS NULL, lower(g.name ->> 'de'), g.id`, userID, mbLocalDate(now, s.loc()))
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (member.GroupView, error) {
		var v member.GroupView
		g, err := mbScanGroup(r, &v.Status, &v.Muted)
		v.Group = g
		return v, err
	})
}

// AllGroups lists the active groups that have not ended.
func (s *MemberStore) AllGroups(ctx context.Context, now time.Time) ([]member.Group, error) {
	return mbQueryGroups(ctx, s.Pool, `WHERE g.active AND (g.ends_on IS NULL OR g.ends_on >= $1::date) ORDER BY lower(g.name ->> 'de'), g.id`, mbLocalDate(now, s.loc()))
}

// Group returns member.ErrNotFound for an unknown group.
func (s *MemberStore) Group(ctx context.Context, id int64) (*member.Group, error) {
	g, err := mbScanGroup(s.Pool.QueryRow(ctx, `SELECT `+mbGroupColumns+` FROM working_groups g WHERE g.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, member.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get group: %w", err)
	}
	return &g, nil
}

// GroupView is one group as the user sees it.
func (s *MemberStore) GroupView(ctx context.Context, groupID, userID int64) (*member.GroupView, error) {
	var v member.GroupView
	g, err := mbScanGroup(s.Pool.QueryRow(ctx, `
		SELECT `+mbGroupColumns+`, coalesce(gm.status, ''), coalesce(gm.muted, false)
		  FROM working_groups g LEFT JOIN group_members gm ON gm.group_id = g.id AND gm.user_id = $2
		 WHERE g.id = $1`, groupID, userID), &v.Status, &v.Muted)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, member.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get group: %w", err)
	}
	v.Group = g
	return &v, nil
}

// JoinGroup adds the member to the group, pending approval if it needs one.
func (s *MemberStore) JoinGroup(ctx context.Context, groupID, userID int64, now time.Time) (string, error) {
	var status string
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		g, err := mbScanGroup(tx.QueryRow(ctx, `SELECT `+mbGroupColumns+` FROM working_groups g WHERE g.id = $1`, groupID))
		if errors.Is(err, pgx.ErrNoRows) {
			return member.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("get group: %w", err)
		}
		if g.Ended(now, s.loc()) {
			return member.ErrGroupClosed
		}
		var active bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM members WHERE user_id = $1 AND active)`, userID).Scan(&active); err != nil {
			return fmt.Errorf("join group: %w", err)
		}
		if !active {
			return member.ErrNotMember
		}
		want := member.StatusActive
		if g.NeedsApproval {
			want = member.StatusPending
		}
		if err := tx.QueryRow(ctx, `
			INSERT INTO group_members (group_id, user_id, status, joined_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (group_id, user_id) DO UPDATE SET status = group_members.status
			RETURNING status`, groupID, userID, want, now).Scan(&status); err != nil {
			return fmt.Errorf("join group: %w", err)
		}
		return mtSyncReminders(ctx, tx, s.loc(), mtScope{UserID: userID, GroupID: groupID}, now)
	})
	return status, err
}

// CreateGroup stores a working group made in the chat.
func (s *MemberStore) CreateGroup(ctx context.Context, g member.Group) (int64, error) {
	var ext *string
	if g.ExternalID != "" {
		ext = &g.ExternalID
	}
	var id int64
	err := s.Pool.QueryRow(ctx, `
		INSERT INTO working_groups (external_id, name, description, ends_on, needs_approval)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		ext, mtText(g.Name), mtText(g.Description), mtNullTime(g.EndsOn), g.NeedsApproval).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create group: %w", err)
	}
	return id, nil
}

// LeaveGroup removes the member from the group (or withdraws a request).
func (s *MemberStore) LeaveGroup(ctx context.Context, groupID, userID int64, now time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM group_members WHERE group_id = $1 AND user_id = $2`, groupID, userID)
		if err != nil {
			return fmt.Errorf("leave group: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return member.ErrNotFound
		}
		return mtSyncReminders(ctx, tx, s.loc(), mtScope{UserID: userID, GroupID: groupID}, now)
	})
}

// DecideJoin approves or declines a pending join request.
func (s *MemberStore) DecideJoin(ctx context.Context, groupID, userID int64, approve bool, now time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		sql := `DELETE FROM group_members WHERE group_id = $1 AND user_id = $2 AND status = 'pending'`
		args := []any{groupID, userID}
		if approve {
			sql = `UPDATE group_members SET status = 'active', joined_at = $3 WHERE group_id = $1 AND user_id = $2 AND status = 'pending'`
			args = append(args, now)
		}
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return fmt.Errorf("decide join: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return member.ErrNotFound
		}
		return mtSyncReminders(ctx, tx, s.loc(), mtScope{UserID: userID, GroupID: groupID}, now)
	})
}

// SetGroupMuted turns the reminders of a group's sessions off or on.
func (s *MemberStore) SetGroupMuted(ctx context.Context, groupID, userID int64, muted bool, now time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE group_members SET muted = $3 WHERE group_id = $1 AND user_id = $2 AND status = 'active'`, groupID, userID, muted)
		if err != nil {
			return fmt.Errorf("mute group: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return member.ErrNotFound
		}
		return mtSyncReminders(ctx, tx, s.loc(), mtScope{UserID: userID, GroupID: groupID}, now)
	})
}

// SetLeadTimes stores the member's own lead times (empty: the meetings').
func (s *MemberStore) SetLeadTimes(ctx context.Context, userID int64, minutes []int, now time.Time) error {
	if !member.ValidLeads(minutes) {
		return fmt.Errorf("set lead times: %v not among the options", minutes)
	}
	var leads []int // NULL for "the meeting's"
	if len(minutes) > 0 {
		leads = member.NormalizeLeads(minutes)
	}
	return s.updateMember(ctx, userID, now, `lead_minutes = $3`, leads)
}

// SetPaused pauses or resumes all of the member's reminders.
func (s *MemberStore) SetPaused(ctx context.Context, userID int64, paused bool, now time.Time) error {
	return s.updateMember(ctx, userID, now, `paused = $3`, paused)
}

func (s *MemberStore) updateMember(ctx context.Context, userID int64, now time.Time, set string, value any) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE members SET `+set+`, updated_at = $2 WHERE user_id = $1 AND active`, userID, now, value)
		if err != nil {
			return fmt.Errorf("update member: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return member.ErrNotMember
		}
		return mtSyncReminders(ctx, tx, s.loc(), mtScope{UserID: userID}, now)
	})
}

// Coordinators lists the active coordinators and admins.
func (s *MemberStore) Coordinators(ctx context.Context) ([]int64, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id FROM users WHERE role IN ('coordinator', 'admin') AND active ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list coordinators: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// mbLocalDate is now's calendar day in loc, for comparisons with date columns.
func mbLocalDate(now time.Time, loc *time.Location) string {
	return now.In(loc).Format("2006-01-02")
}

// mbLoc is loc, or Europe/Berlin if unset.
func mbLoc(loc *time.Location) *time.Location {
	if loc != nil {
		return loc
	}
	if l, err := time.LoadLocation("Europe/Berlin"); err == nil {
		return l
	}
	return time.UTC
}
