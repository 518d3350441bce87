package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/notify"
)

// BroadcastStore keeps broadcasts; each recipient is one notification.
type BroadcastStore struct{ Pool *pgxpool.Pool }

var _ member.BroadcastStore = (*BroadcastStore)(nil)

// bcAudienceSQL selects the active members an audience ($1 kind, $2 id) reaches.
const bcAudienceSQL = `
	SELECT mem.user_id FROM members mem
	 WHERE mem.active AND ($1 = 'all'
	    OR ($1 = 'organisation' AND mem.organisation_id = $2::bigint)
	    OR ($1 = 'group' AND EXISTS (SELECT 1 FROM group_members gm
	                                  WHERE gm.group_id = $2::bigint AND gm.user_id = mem.user_id AND gm.status = 'active')))`

// Recipients counts who the audience reaches now, including members who
// blocked the bot (they are reported as blocked).
func (s *BroadcastStore) Recipients(ctx context.Context, a member.Audience) (int, error) {
	if err := a.Validate(); err != nil {
		return 0, err
	}
	var n int
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM (`+bcAudienceSQL+`) r`, a.Kind, a.ID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count recipients: %w", err)
	}
	return n, nil
}

// Create stores the broadcast and queues one notification per recipient,
// in one transaction: all of them or none.
func (s *BroadcastStore) Create(ctx context.Context, senderID int64, a member.Audience, body string, now time.Time) (*member.Broadcast, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	if body == "" || len([]rune(body)) > member.MaxBroadcastLength {
		return nil, fmt.Errorf("broadcast: text must have 1 to %d characters", member.MaxBroadcastLength)
	}
	var bc *member.Broadcast
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var aid *int64
		if a.ID != 0 {
			aid = &a.ID
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO broadcasts (sender_id, audience, audience_id, body, total, created_at)
			VALUES ($1, $2, $3, $4, 0, $5) RETURNING id`, senderID, a.Kind, aid, body, now).Scan(&id); err != nil {
			return fmt.Errorf("create broadcast: %w", err)
		}
		rows, err := tx.Query(ctx, bcAudienceSQL+` ORDER BY mem.user_id`, a.Kind, a.ID)
		if err != nil {
			return fmt.Errorf("broadcast recipients: %w", err)
		}
		users, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("broadcast recipients: %w", err)
		}
		ns := make([]notify.Notification, 0, len(users))
		for _, u := range users {
			ns = append(ns, notify.Notification{
				Kind: member.KindBroadcast, UserID: u, Key: fmt.Sprintf("broadcast:%d:member:%d", id, u),
				Data: map[string]string{"broadcast": mtID(id)}, DueAt: now,
			})
		}
		if err := mtScheduleAll(ctx, tx, ns); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE broadcasts SET total = $2 WHERE id = $1`, id, len(users)); err != nil {
			return fmt.Errorf("create broadcast: %w", err)
		}
		bc, err = s.get(ctx, tx, id)
		return err
	})
	return bc, err
}

// Get returns member.ErrNotFound for an unknown broadcast.
func (s *BroadcastStore) Get(ctx context.Context, id int64) (*member.Broadcast, error) {
	return s.get(ctx, s.Pool, id)
}

func (s *BroadcastStore) get(ctx context.Context, q mtQuerier, id int64) (*member.Broadcast, error) {
	var b member.Broadcast
	var aid *int64
	err := q.QueryRow(ctx, `
		SELECT b.id, b.sender_id, coalesce(mem.display_name, ''), coalesce(org.name, ''), b.audience, b.audience_id, b.body, b.total, b.created_at
		  FROM broadcasts b LEFT JOIN members mem ON mem.user_id = b.sender_id
		  LEFT JOIN organisations org ON org.id = mem.organisation_id
		 WHERE b.id = $1`, id).
		Scan(&b.ID, &b.SenderID, &b.SenderName, &b.SenderOrg, &b.Audience.Kind, &aid, &b.Body, &b.Total, &b.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, member.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get broadcast: %w", err)
	}
	if aid != nil {
		b.Audience.ID = *aid
	}
	return &b, nil
}

// Report counts the outcomes of a broadcast's notifications.
func (s *BroadcastStore) Report(ctx context.Context, id int64) (*member.Report, error) {
	b, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	r := &member.Report{Broadcast: *b}
	if err := s.Pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status = 'sent'),
		       count(*) FILTER (WHERE status = 'dropped' AND last_error = $2),
		       count(*) FILTER (WHERE status = 'dropped' AND last_error <> $2),
		       count(*) FILTER (WHERE status = 'pending')
		  FROM notifications WHERE kind = $3 AND data ->> 'broadcast' = $1`,
		mtID(id), notify.ReasonBlocked, member.KindBroadcast).Scan(&r.Delivered, &r.Blocked, &r.Failed, &r.Pending); err != nil {
		return nil, fmt.Errorf("broadcast report: %w", err)
	}
	rows, err := s.Pool.Query(ctx, `
		SELECT coalesce(nullif(mem.display_name, ''), n.user_id::text) || coalesce(' (' || org.name || ')', '')
		  FROM notifications n LEFT JOIN members mem ON mem.user_id = n.user_id
		  LEFT JOIN organisations org ON org.id = mem.organisation_id
		 WHERE n.kind = $3 AND n.data ->> 'broadcast' = $1 AND n.status = 'dropped' AND n.last_error = $2
		 ORDER BY 1`, mtID(id), notify.ReasonBlocked, member.KindBroadcast)
	if err != nil {
		return nil, fmt.Errorf("broadcast report: %w", err)
	}
	if r.BlockedNames, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		return nil, fmt.Errorf("broadcast report: %w", err)
	}
	return r, nil
}

// Progress milestones (percent) reported for broadcasts of at least
// progressMinimum recipients.
var progressSteps = []int{25, 50, 75}

const progressMinimum = 40

// Sweep queues progress messages and the final report of open broadcasts.
// Each is guarded by an update of the broadcast row and a unique key, so
// several workers sweeping at once queue each message exactly once.
func (s *BroadcastStore) Sweep(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, sender_id, total, progress_reported, created_at FROM broadcasts WHERE finished_at IS NULL ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("sweep broadcasts: %w", err)
	}
	type open struct {
		id, sender int64
		total, pct int
		created    time.Time
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (open, error) {
		var o open
		return o, r.Scan(&o.id, &o.sender, &o.total, &o.pct, &o.created)
	})
	if err != nil {
		return 0, fmt.Errorf("sweep broadcasts: %w", err)
	}
	queued := 0
	for _, o := range list {
		var rows, pending int
		if err := s.Pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'pending') FROM notifications WHERE kind = $2 AND data ->> 'broadcast' = $1`,
			mtID(o.id), member.KindBroadcast).Scan(&rows, &pending); err != nil {
			return queued, fmt.Errorf("sweep broadcasts: %w", err)
		}
		if rows == 0 {
			// Nothing of it in the queue (erased, or never queued): there
			// is nothing to report; close it quietly.
			o.sender = 0
		}
		done := o.total - pending
		err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
			if pending == 0 {
				tag, err := tx.Exec(ctx, `UPDATE broadcasts SET finished_at = $2 WHERE id = $1 AND finished_at IS NULL`, o.id, now)
				if err != nil || tag.RowsAffected() == 0 || o.sender == 0 { // 0: the sender erased their data
					return err
				}
				queued++
				return ScheduleNotification(ctx, tx, notify.Notification{
					Kind: member.KindBroadcastReport, UserID: o.sender, Key: fmt.Sprintf("broadcast:%d:report", o.id),
					Data: map[string]string{"broadcast": mtID(o.id)}, DueAt: now,
				})
			}
			step := 0
			for _, p := range progressSteps {
				if o.total >= progressMinimum && done*100 >= p*o.total && p > o.pct {
					step = p
				}
			}
			if step == 0 || o.sender == 0 {
				return nil
			}
			tag, err := tx.Exec(ctx, `UPDATE broadcasts SET progress_reported = $2 WHERE id = $1 AND progress_reported < $2`, o.id, step)
			if err != nil || tag.RowsAffected() == 0 {
				return err
			}
			queued++
			// Due before the broadcast's own messages, so it is claimed
			// next and not after all of them.
			return ScheduleNotification(ctx, tx, notify.Notification{
				Kind: member.KindBroadcastProgress, UserID: o.sender, Key: fmt.Sprintf("broadcast:%d:progress:%d", o.id, step),
				Data:  map[string]string{"broadcast": mtID(o.id), "done": fmt.Sprint(done), "total": fmt.Sprint(o.total)},
				DueAt: o.created.Add(-time.Second),
			})
		})
		if err != nil {
			return queued, fmt.Errorf("sweep broadcast %d: %w", o.id, err)
		}
	}
	return queued, nil
}
