package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
)

// MeetingImportResult counts what an import of a meetings file did.
type MeetingImportResult struct {
	OrganisationsCreated         int
	GroupsCreated, GroupsUpdated int
	Created, Updated, Unchanged  int
	Cancelled                    int
	Notices                      int // change and cancellation notices queued
	StaysCancelled               []string
}

// Import applies a meetings file in one transaction: everything or
// nothing. Groups and meetings are matched by external id, so the same
// file imported twice changes nothing the second time; a changed time or
// place sends change notices, "cancelled: true" cancels (with notices), and
// reminders are regenerated as for any change.
func (s *MeetingStore) Import(ctx context.Context, imp *meeting.Import, now time.Time) (*MeetingImportResult, error) {
	res := &MeetingImportResult{}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		for _, o := range imp.Organisations {
			tag, err := tx.Exec(ctx, `INSERT INTO organisations (external_id, name) VALUES ($1, $2) ON CONFLICT (external_id) DO NOTHING`, o.ExternalID, o.Name)
			if err != nil {
				return fmt.Errorf("organisation %s: %w", o.ExternalID, err)
			}
			res.OrganisationsCreated += int(tag.RowsAffected())
		}
		groups := map[string]int64{}
		for _, g := range imp.Groups {
			var id int64
			var inserted bool
			var ends *time.Time
			if !g.EndsOn.IsZero() {
				ends = &g.EndsOn
			}
			err := tx.QueryRow(ctx, `
				INSERT INTO working_groups (external_id, name, description, ends_on, needs_approval, active)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (external_id) DO UPDATE
				   SET name = EXCLUDED.name, description = EXCLUDED.description, ends_on = EXCLUDED.ends_on,
				       needs_approval = EXCLUDED.needs_approval, active = EXCLUDED.active, updated_at = now()
				 WHERE (working_groups.name, working_groups.description, working_groups.ends_on, working_groups.needs_approval, working_groups.active)
				       IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.description, EXCLUDED.ends_on, EXCLUDED.needs_approval, EXCLUDED.active)
				RETURNING id, xmax = 0`,
				g.ExternalID, mtText(g.Name), mtText(g.Description), ends, g.NeedsApproval, g.Active).Scan(&id, &inserted)
			switch {
			case errors.Is(err, pgx.ErrNoRows): // unchanged
				if err := tx.QueryRow(ctx, `SELECT id FROM working_groups WHERE external_id = $1`, g.ExternalID).Scan(&id); err != nil {
					return fmt.Errorf("group %s: %w", g.ExternalID, err)
				}
			case err != nil:
				return fmt.Errorf("group %s: %w", g.ExternalID, err)
			case inserted:
				res.GroupsCreated++
			default:
				res.GroupsUpdated++
			}
			groups[g.ExternalID] = id
		}
		for _, im := range imp.Meetings {
			m := im.Meeting
			if im.Group != "" {
				id, ok := groups[im.Group]
				if !ok {
					if err := tx.QueryRow(ctx, `SELECT id FROM working_groups WHERE external_id = $1`, im.Group).Scan(&id); err != nil {
						return fmt.Errorf("meeting %s: working group %q not found", m.ExternalID, im.Group)
					}
				}
				m.GroupID = id
			}
			if im.Organisation != "" {
				if err := tx.QueryRow(ctx, `SELECT id FROM organisations WHERE external_id = $1`, im.Organisation).Scan(&m.OrganisationID); err != nil {
					return fmt.Errorf("meeting %s: organisation %q not found (add it under organisations: or import the offers first)", m.ExternalID, im.Organisation)
				}
			}
			var id int64
			err := tx.QueryRow(ctx, `SELECT id FROM meetings WHERE external_id = $1`, m.ExternalID).Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				if _, _, err := s.create(ctx, tx, &m, now); err != nil {
					return fmt.Errorf("meeting %s: %w", m.ExternalID, err)
				}
				res.Created++
				continue
			}
			if err != nil {
				return fmt.Errorf("meeting %s: %w", m.ExternalID, err)
			}
			old, err := mtGetMeeting(ctx, tx, id, true)
			if err != nil {
				return err
			}
			m.ID = id
			switch {
			case old.Cancelled && !m.Cancelled:
				res.StaysCancelled = append(res.StaysCancelled, m.ExternalID)
			case old.Cancelled:
				res.Unchanged++
			case sameMeeting(old, &m):
				if m.Cancelled {
					n, err := s.cancel(ctx, tx, id, 0, now, true)
					if err != nil {
						return fmt.Errorf("meeting %s: %w", m.ExternalID, err)
					}
					res.Cancelled++
					res.Notices += n
				} else {
					res.Unchanged++
				}
			default:
				ch, err := s.update(ctx, tx, &m, now)
				if err != nil {
					return fmt.Errorf("meeting %s: %w", m.ExternalID, err)
				}
				res.Updated++
				res.Notices += ch.Notified
				if m.Cancelled {
					n, err := s.cancel(ctx, tx, id, 0, now, true)
					if err != nil {
						return fmt.Errorf("meeting %s: %w", m.ExternalID, err)
					}
					res.Cancelled++
					res.Notices += n
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// sameMeeting compares what an import can set (cancellation aside).
func sameMeeting(a, b *meeting.Meeting) bool {
	return a.GroupID == b.GroupID && a.OrganisationID == b.OrganisationID &&
		maps.Equal(a.Title, b.Title) && maps.Equal(normText(a.Description), normText(b.Description)) &&
		a.Agenda == b.Agenda && a.Venue == b.Venue && a.OnlineURL == b.OnlineURL &&
		a.Start.Equal(b.Start) && a.Duration == b.Duration && a.Recurrence == b.Recurrence &&
		a.RepeatUntil.Equal(b.RepeatUntil) && a.RegistrationBefore == b.RegistrationBefore &&
		slices.Equal(member.NormalizeLeads(a.LeadMinutes), member.NormalizeLeads(b.LeadMinutes))
}

func normText(t member.Text) member.Text {
	if t == nil {
		return member.Text{}
	}
	return t
}

// UpcomingAll lists all upcoming occurrences (for `netzbot meetings list`),
// with their answers.
func (s *MeetingStore) UpcomingAll(ctx context.Context, now time.Time, until time.Time) ([]meeting.Item, error) {
	items, err := s.items(ctx, 0, `
		WHERE o.cancelled_at IS NULL AND m.cancelled_at IS NULL AND o.ends_at > $2 AND o.starts_at <= $3
		ORDER BY o.starts_at, o.id`, now, until)
	if err != nil {
		return nil, err
	}
	for i := range items {
		if items[i].Counts, err = s.Counts(ctx, items[i].Occurrence.ID); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// Occurrences lists every occurrence of a meeting (cancelled ones too), for
// the attendee export.
func (s *MeetingStore) Occurrences(ctx context.Context, meetingID int64) ([]meeting.Occurrence, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+mtOccurrenceColumns+` FROM meeting_occurrences o WHERE o.meeting_id = $1 ORDER BY o.starts_at`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("occurrences: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (meeting.Occurrence, error) {
		var o meeting.Occurrence
		return o, r.Scan(mtOccurrenceDest(&o)...)
	})
}
