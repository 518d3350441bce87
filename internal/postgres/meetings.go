package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/notify"
)

// MeetingStore keeps meetings, occurrences and answers, and generates the
// reminders and notices in the notification queue.
type MeetingStore struct {
	Pool *pgxpool.Pool
	// Loc is the meetings' time zone (TZ_NAME).
	Loc *time.Location
}

var _ meeting.Store = (*MeetingStore)(nil)

// Location is the meetings' time zone.
func (s *MeetingStore) Location() *time.Location { return mbLoc(s.Loc) }

const mtMeetingColumns = `m.id, coalesce(m.external_id, ''), coalesce(m.group_id, 0), coalesce(g.name, '{}'::jsonb),
	coalesce(m.organisation_id, 0), m.title, m.description, m.agenda, m.venue, m.online_url, m.starts_at,
	m.duration_minutes, m.recurrence, m.repeat_until, coalesce(m.registration_minutes, 0), m.lead_minutes,
	coalesce(m.created_by, 0), m.cancelled_at IS NOT NULL`

const mtMeetingFrom = `meetings m LEFT JOIN working_groups g ON g.id = m.group_id`

func mtScanMeeting(row pgx.Row, extra ...any) (*meeting.Meeting, error) {
	var m meeting.Meeting
	var duration, registration int
	var until *time.Time
	dest := []any{&m.ID, &m.ExternalID, &m.GroupID, &m.GroupName, &m.OrganisationID, &m.Title, &m.Description,
		&m.Agenda, &m.Venue, &m.OnlineURL, &m.Start, &duration, &m.Recurrence, &until, &registration,
		&m.LeadMinutes, &m.CreatedBy, &m.Cancelled}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return nil, err
	}
	m.Duration = time.Duration(duration) * time.Minute
	m.RegistrationBefore = time.Duration(registration) * time.Minute
	if until != nil {
		m.RepeatUntil = *until
	}
	return &m, nil
}

const mtOccurrenceColumns = `o.id, o.meeting_id, o.starts_at, o.ends_at, o.revision, o.cancelled_at IS NOT NULL`

func mtOccurrenceDest(o *meeting.Occurrence) []any {
	return []any{&o.ID, &o.MeetingID, &o.Start, &o.End, &o.Revision, &o.Cancelled}
}

type mtQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// Get returns meeting.ErrNotFound for an unknown id.
func (s *MeetingStore) Get(ctx context.Context, id int64) (*meeting.Meeting, error) {
	return mtGetMeeting(ctx, s.Pool, id, false)
}

func mtGetMeeting(ctx context.Context, q mtQuerier, id int64, lock bool) (*meeting.Meeting, error) {
	sql := `SELECT ` + mtMeetingColumns + ` FROM ` + mtMeetingFrom + ` WHERE m.id = $1`
	if lock {
		sql += ` FOR UPDATE OF m`
	}
	m, err := mtScanMeeting(q.QueryRow(ctx, sql, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, meeting.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get meeting: %w", err)
	}
	return m, nil
}

// GetByExternalID finds a meeting by its import id or numeric id, for the
// command line.
func (s *MeetingStore) GetByExternalID(ctx context.Context, ext string) (*meeting.Meeting, error) {
	m, err := mtScanMeeting(s.Pool.QueryRow(ctx, `SELECT `+mtMeetingColumns+` FROM `+mtMeetingFrom+`
		WHERE m.external_id = $1 OR m.id::text = $1 ORDER BY m.external_id = $1 DESC NULLS LAST LIMIT 1`, ext))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, meeting.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get meeting: %w", err)
	}
	return m, nil
}

// Occurrence returns an occurrence and its meeting.
func (s *MeetingStore) Occurrence(ctx context.Context, id int64) (*meeting.Occurrence, *meeting.Meeting, error) {
	var o meeting.Occurrence
	m, err := mtScanMeeting(s.Pool.QueryRow(ctx, `SELECT `+mtMeetingColumns+`, `+mtOccurrenceColumns+`
		FROM meeting_occurrences o JOIN `+mtMeetingFrom+` ON m.id = o.meeting_id WHERE o.id = $1`, id), mtOccurrenceDest(&o)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, meeting.ErrNotFound
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get occurrence: %w", err)
	}
	return &o, m, nil
}

// Next is the meeting's next occurrence that has not started.
func (s *MeetingStore) Next(ctx context.Context, meetingID int64, now time.Time) (*meeting.Occurrence, error) {
	return mtNextOccurrence(ctx, s.Pool, meetingID, now)
}

func mtNextOccurrence(ctx context.Context, q mtQuerier, meetingID int64, now time.Time) (*meeting.Occurrence, error) {
	var o meeting.Occurrence
	err := q.QueryRow(ctx, `SELECT `+mtOccurrenceColumns+` FROM meeting_occurrences o
		WHERE o.meeting_id = $1 AND o.cancelled_at IS NULL AND o.starts_at > $2 ORDER BY o.starts_at LIMIT 1`, meetingID, now).
		Scan(mtOccurrenceDest(&o)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, meeting.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("next occurrence: %w", err)
	}
	return &o, nil
}

// Create stores a meeting, its occurrences and their reminders.
func (s *MeetingStore) Create(ctx context.Context, m *meeting.Meeting, now time.Time) (*meeting.Meeting, int, error) {
	var out *meeting.Meeting
	var invited int
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		out, invited, err = s.create(ctx, tx, m, now)
		return err
	})
	return out, invited, err
}

func (s *MeetingStore) create(ctx context.Context, tx pgx.Tx, m *meeting.Meeting, now time.Time) (*meeting.Meeting, int, error) {
	loc := s.Location()
	if err := m.Validate(loc); err != nil {
		return nil, 0, err
	}
	if len(m.LeadMinutes) == 0 {
		m.LeadMinutes = member.DefaultLeadMinutes
	}
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO meetings (external_id, group_id, organisation_id, title, description, agenda, venue, online_url,
		                      starts_at, duration_minutes, recurrence, repeat_until, registration_minutes, lead_minutes,
		                      created_by, created_at, updated_at)
		VALUES (nullif($1, ''), nullif($2, 0), nullif($3, 0), $4, $5, $6, $7, $8, $9, $10, $11, $12, nullif($13, 0), $14, nullif($15, 0), $16, $16)
		RETURNING id`,
		m.ExternalID, m.GroupID, m.OrganisationID, mtText(m.Title), mtText(m.Description), m.Agenda, m.Venue, m.OnlineURL,
		m.Start, int(m.Duration/time.Minute), m.Recurrence, mtNullTime(m.RepeatUntil), int(m.RegistrationBefore/time.Minute),
		member.NormalizeLeads(m.LeadMinutes), m.CreatedBy, now).Scan(&id)
	if err != nil {
		return nil, 0, fmt.Errorf("create meeting: %w", err)
	}
	starts, err := meeting.Starts(m, loc, now, now.Add(meeting.Horizon))
	if err != nil {
		return nil, 0, err
	}
	if len(starts) == 0 {
		return nil, 0, fmt.Errorf("meeting: the rule %q gives no date in the next %d days", m.Recurrence, int(meeting.Horizon.Hours()/24))
	}
	for _, st := range starts {
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at) VALUES ($1, $2, $3)`, id, st, st.Add(m.Duration)); err != nil {
			return nil, 0, fmt.Errorf("create occurrence: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE meetings SET expanded_until = $2 WHERE id = $1`, id, now.Add(meeting.Horizon)); err != nil {
		return nil, 0, fmt.Errorf("create meeting: %w", err)
	}
	if m.Cancelled {
		if _, err := s.cancel(ctx, tx, id, 0, now, false); err != nil {
			return nil, 0, err
		}
	}
	if err := mtSyncReminders(ctx, tx, loc, mtScope{MeetingID: id}, now); err != nil {
		return nil, 0, err
	}
	stored, err := mtGetMeeting(ctx, tx, id, false)
	if err != nil {
		return nil, 0, err
	}
	invited, err := mtCountInvited(ctx, tx, stored.GroupID)
	return stored, invited, err
}

// Update replaces a meeting's editable values, moves or re-expands its
// occurrences, notifies everyone invited of a new time or place and
// regenerates the reminders.
func (s *MeetingStore) Update(ctx context.Context, m *meeting.Meeting, now time.Time) (*meeting.Change, error) {
	var ch *meeting.Change
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		ch, err = s.update(ctx, tx, m, now)
		return err
	})
	return ch, err
}

func (s *MeetingStore) update(ctx context.Context, tx pgx.Tx, m *meeting.Meeting, now time.Time) (*meeting.Change, error) {
	loc := s.Location()
	if err := m.Validate(loc); err != nil {
		return nil, err
	}
	old, err := mtGetMeeting(ctx, tx, m.ID, true)
	if err != nil {
		return nil, err
	}
	if old.Cancelled {
		return nil, meeting.ErrCancelled
	}
	if len(m.LeadMinutes) == 0 {
		m.LeadMinutes = member.DefaultLeadMinutes
	}
	ch := &meeting.Change{
		Time:  !old.Start.Equal(m.Start) || old.Duration != m.Duration || old.Recurrence != m.Recurrence || !old.RepeatUntil.Equal(m.RepeatUntil),
		Place: old.Venue != m.Venue || old.OnlineURL != m.OnlineURL,
	}
	oldNext, err := mtNextOccurrence(ctx, tx, m.ID, now)
	if err != nil && !errors.Is(err, meeting.ErrNotFound) {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `
		UPDATE meetings SET group_id = nullif($2, 0), organisation_id = nullif($3, 0), title = $4, description = $5,
		       agenda = $6, venue = $7, online_url = $8, starts_at = $9, duration_minutes = $10, recurrence = $11,
		       repeat_until = $12, registration_minutes = nullif($13, 0), lead_minutes = $14, updated_at = $15
		 WHERE id = $1`,
		m.ID, m.GroupID, m.OrganisationID, mtText(m.Title), mtText(m.Description), m.Agenda, m.Venue, m.OnlineURL, m.Start,
		int(m.Duration/time.Minute), m.Recurrence, mtNullTime(m.RepeatUntil), int(m.RegistrationBefore/time.Minute),
		member.NormalizeLeads(m.LeadMinutes), now); err != nil {
		return nil, fmt.Errorf("update meeting: %w", err)
	}
	if ch.Time {
		if err := s.reschedule(ctx, tx, m, now); err != nil {
			return nil, err
		}
	}
	if (ch.Time || ch.Place) && oldNext != nil {
		next, err := mtNextOccurrence(ctx, tx, m.ID, now)
		if err == nil {
			ch.Notified, err = s.notifyChange(ctx, tx, m, old, oldNext, next, ch, now)
		}
		if err != nil && !errors.Is(err, meeting.ErrNotFound) {
			return nil, err
		}
	}
	return ch, mtSyncReminders(ctx, tx, loc, mtScope{MeetingID: m.ID}, now)
}

// reschedule moves a single meeting's occurrence (a new revision, so its
// reminders start afresh), or re-expands a recurring one: future dates the
// new rule keeps stay (with their answers), others are cancelled, new ones
// added.
func (s *MeetingStore) reschedule(ctx context.Context, tx pgx.Tx, m *meeting.Meeting, now time.Time) error {
	if !m.Recurring() {
		tag, err := tx.Exec(ctx, `
			UPDATE meeting_occurrences
			   SET revision = revision + CASE WHEN starts_at = $2 THEN 0 ELSE 1 END, starts_at = $2, ends_at = $3, cancelled_at = NULL
			 WHERE id = (SELECT id FROM meeting_occurrences WHERE meeting_id = $1
			             ORDER BY starts_at = $2 DESC, cancelled_at IS NULL DESC, starts_at > $4 DESC, starts_at LIMIT 1)`,
			m.ID, m.Start, m.Start.Add(m.Duration), now)
		if err != nil {
			return fmt.Errorf("move occurrence: %w", err)
		}
		if tag.RowsAffected() == 0 {
			_, err = tx.Exec(ctx, `INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at) VALUES ($1, $2, $3)`, m.ID, m.Start, m.Start.Add(m.Duration))
		}
		if err != nil {
			return fmt.Errorf("move occurrence: %w", err)
		}
		// A meeting that was recurring before keeps one date only.
		_, err = tx.Exec(ctx, `UPDATE meeting_occurrences SET cancelled_at = $3 WHERE meeting_id = $1 AND starts_at <> $2 AND starts_at > $3 AND cancelled_at IS NULL`, m.ID, m.Start, now)
		if err != nil {
			return fmt.Errorf("move occurrence: %w", err)
		}
		return nil
	}
	starts, err := meeting.Starts(m, s.Location(), now, now.Add(meeting.Horizon))
	if err != nil {
		return err
	}
	want := map[time.Time]bool{}
	for _, t := range starts {
		want[t.UTC()] = true
	}
	rows, err := tx.Query(ctx, `SELECT id, starts_at, cancelled_at IS NOT NULL FROM meeting_occurrences WHERE meeting_id = $1 AND starts_at > $2`, m.ID, now)
	if err != nil {
		return fmt.Errorf("reschedule: %w", err)
	}
	type occ struct {
		id        int64
		start     time.Time
		cancelled bool
	}
	have, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (occ, error) {
		var o occ
		return o, r.Scan(&o.id, &o.start, &o.cancelled)
	})
	if err != nil {
		return fmt.Errorf("reschedule: %w", err)
	}
	for _, o := range have {
		switch {
		case want[o.start.UTC()]:
			if _, err := tx.Exec(ctx, `UPDATE meeting_occurrences SET ends_at = $2, cancelled_at = NULL, revision = revision + CASE WHEN cancelled_at IS NULL THEN 0 ELSE 1 END WHERE id = $1`, o.id, o.start.Add(m.Duration)); err != nil {
				return fmt.Errorf("reschedule: %w", err)
			}
			delete(want, o.start.UTC())
		case !o.cancelled:
			if _, err := tx.Exec(ctx, `UPDATE meeting_occurrences SET cancelled_at = $2 WHERE id = $1`, o.id, now); err != nil {
				return fmt.Errorf("reschedule: %w", err)
			}
		}
	}
	for _, t := range slices.SortedFunc(maps.Keys(want), func(a, b time.Time) int { return a.Compare(b) }) {
		if _, err := tx.Exec(ctx, `INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, m.ID, t, t.Add(m.Duration)); err != nil {
			return fmt.Errorf("reschedule: %w", err)
		}
	}
	_, err = tx.Exec(ctx, `UPDATE meetings SET expanded_until = $2 WHERE id = $1`, m.ID, now.Add(meeting.Horizon))
	return err
}

// notifyChange queues one change notice per invited member.
func (s *MeetingStore) notifyChange(ctx context.Context, tx pgx.Tx, m, old *meeting.Meeting, oldNext, next *meeting.Occurrence, ch *meeting.Change, now time.Time) (int, error) {
	var seq int
	if err := tx.QueryRow(ctx, `UPDATE meetings SET change_seq = change_seq + 1 WHERE id = $1 RETURNING change_seq`, m.ID).Scan(&seq); err != nil {
		return 0, fmt.Errorf("change notice: %w", err)
	}
	data := map[string]string{"meeting": mtID(m.ID), "occurrence": mtID(next.ID)}
	if ch.Time && !oldNext.Start.Equal(next.Start) {
		data["old_start"] = oldNext.Start.UTC().Format(time.RFC3339)
	}
	if ch.Place {
		data["old_place"] = old.Venue
		if data["old_place"] == "" {
			data["old_place"] = old.OnlineURL
		}
	}
	if data["old_start"] == "" && !ch.Place {
		return 0, nil // e.g. only the end moved: the reminders carry it
	}
	users, err := mtInvitedUsers(ctx, tx, m.GroupID)
	if err != nil {
		return 0, err
	}
	var notices []notify.Notification
	for _, u := range users {
		notices = append(notices, notify.Notification{
			Kind: meeting.KindChange, UserID: u, Key: fmt.Sprintf("meeting-change:%d:%d:member:%d", m.ID, seq, u),
			Data: data, DueAt: now, ExpiresAt: next.Start,
		})
	}
	return len(notices), mtScheduleAll(ctx, tx, notices)
}

// Cancel cancels a whole meeting (occurrenceID 0) or one occurrence.
func (s *MeetingStore) Cancel(ctx context.Context, meetingID, occurrenceID int64, now time.Time) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		n, err = s.cancel(ctx, tx, meetingID, occurrenceID, now, true)
		return err
	})
	return n, err
}

func (s *MeetingStore) cancel(ctx context.Context, tx pgx.Tx, meetingID, occurrenceID int64, now time.Time, notifyMembers bool) (int, error) {
	m, err := mtGetMeeting(ctx, tx, meetingID, true)
	if err != nil {
		return 0, err
	}
	if m.Cancelled {
		return 0, meeting.ErrCancelled
	}
	var first meeting.Occurrence
	if occurrenceID != 0 {
		err = tx.QueryRow(ctx, `
			UPDATE meeting_occurrences o SET cancelled_at = $3
			 WHERE o.id = $1 AND o.meeting_id = $2 AND o.cancelled_at IS NULL
			RETURNING `+mtOccurrenceColumns, occurrenceID, meetingID, now).Scan(mtOccurrenceDest(&first)...)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, meeting.ErrNotFound
		}
		if err != nil {
			return 0, fmt.Errorf("cancel occurrence: %w", err)
		}
		if !first.Start.After(now) {
			return 0, meeting.ErrStarted
		}
		var left bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meeting_occurrences WHERE meeting_id = $1 AND cancelled_at IS NULL AND starts_at > $2)`, meetingID, now).Scan(&left); err != nil {
			return 0, fmt.Errorf("cancel occurrence: %w", err)
		}
		if !left && !m.Recurring() {
			occurrenceID = 0 // the only date of a single meeting: the meeting is off
		}
	} else {
		next, err := mtNextOccurrence(ctx, tx, meetingID, now)
		switch {
		case errors.Is(err, meeting.ErrNotFound):
			notifyMembers = false
		case err != nil:
			return 0, err
		default:
			first = *next
		}
		if _, err := tx.Exec(ctx, `UPDATE meeting_occurrences SET cancelled_at = $2 WHERE meeting_id = $1 AND starts_at > $2 AND cancelled_at IS NULL`, meetingID, now); err != nil {
			return 0, fmt.Errorf("cancel meeting: %w", err)
		}
	}
	if occurrenceID == 0 {
		if _, err := tx.Exec(ctx, `UPDATE meetings SET cancelled_at = $2, updated_at = $2 WHERE id = $1`, meetingID, now); err != nil {
			return 0, fmt.Errorf("cancel meeting: %w", err)
		}
		// A change notice not sent yet is moot now.
		if _, err := CancelNotifications(ctx, tx, fmt.Sprintf("meeting-change:%d:", meetingID)); err != nil {
			return 0, err
		}
	}
	if err := mtSyncReminders(ctx, tx, s.Location(), mtScope{MeetingID: meetingID}, now); err != nil {
		return 0, err
	}
	if !notifyMembers {
		return 0, nil
	}
	users, err := mtInvitedUsers(ctx, tx, m.GroupID)
	if err != nil {
		return 0, err
	}
	data := map[string]string{"meeting": mtID(meetingID), "occurrence": mtID(first.ID)}
	keyFmt := "meeting-cancel:%d:occ:" + mtID(first.ID) + ":member:%d"
	if occurrenceID == 0 {
		keyFmt = "meeting-cancel:%d:all:member:%d"
		if m.Recurring() {
			data["series"] = "1"
		}
	}
	var notices []notify.Notification
	for _, u := range users {
		notices = append(notices, notify.Notification{
			Kind: meeting.KindCancel, UserID: u, Key: fmt.Sprintf(keyFmt, meetingID, u),
			Data: data, DueAt: now, ExpiresAt: first.Start,
		})
	}
	return len(notices), mtScheduleAll(ctx, tx, notices)
}

// firstDates keeps the first two upcoming dates of each meeting in a list,
// so that a weekly session does not crowd out everything else.
const firstDates = ` AND o.id IN (SELECT id FROM (
		SELECT id, row_number() OVER (PARTITION BY meeting_id ORDER BY starts_at) AS n
		  FROM meeting_occurrences WHERE cancelled_at IS NULL AND ends_at > $2) f WHERE f.n <= 2)`

// Upcoming lists the occurrences the member is invited to, soonest first,
// with their answer: at most two dates of each meeting.
func (s *MeetingStore) Upcoming(ctx context.Context, userID int64, now time.Time, limit int) ([]meeting.Item, error) {
	return s.items(ctx, userID, `
		JOIN members mem ON mem.user_id = $1 AND mem.active
		LEFT JOIN group_members gm ON gm.group_id = m.group_id AND gm.user_id = mem.user_id
		WHERE o.cancelled_at IS NULL AND m.cancelled_at IS NULL AND o.ends_at > $2
		  AND (m.group_id IS NULL OR gm.status = 'active')`+firstDates+`
		ORDER BY o.starts_at, o.id LIMIT $3`, now, limit)
}

// Managed lists upcoming occurrences hosted by orgID (0: all), with counts:
// at most two dates of each meeting.
func (s *MeetingStore) Managed(ctx context.Context, orgID int64, now time.Time, limit int) ([]meeting.Item, error) {
	items, err := s.items(ctx, 0, `
		WHERE o.cancelled_at IS NULL AND m.cancelled_at IS NULL AND o.ends_at > $2 AND ($3::bigint = 0 OR m.organisation_id = $3)`+firstDates+`
		ORDER BY o.starts_at, o.id LIMIT $4`, now, orgID, limit)
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

// items lists occurrences with their meetings; the viewer is $1 for the
// answer (0 for none).
func (s *MeetingStore) items(ctx context.Context, viewer int64, where string, args ...any) ([]meeting.Item, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT `+mtMeetingColumns+`, `+mtOccurrenceColumns+`, coalesce(r.response, '')
		  FROM meeting_occurrences o JOIN `+mtMeetingFrom+` ON m.id = o.meeting_id
		  LEFT JOIN rsvps r ON r.occurrence_id = o.id AND r.user_id = $1
		`+where, append([]any{viewer}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("list meetings: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (meeting.Item, error) {
		var it meeting.Item
		var resp string
		m, err := mtScanMeeting(r, append(mtOccurrenceDest(&it.Occurrence), &resp)...)
		it.Meeting, it.Response = m, meeting.Response(resp)
		return it, err
	})
}

// mtInvitedSQL selects the user ids invited to the meetings of group $1
// (0: network meetings, all active members).
const mtInvitedSQL = `
	SELECT mem.user_id FROM members mem
	 WHERE mem.active AND ($1::bigint = 0 OR EXISTS (
	       SELECT 1 FROM group_members gm WHERE gm.group_id = $1 AND gm.user_id = mem.user_id AND gm.status = 'active'))`

func mtInvitedUsers(ctx context.Context, q mtQuerier, groupID int64) ([]int64, error) {
	rows, err := q.Query(ctx, mtInvitedSQL+` ORDER BY mem.user_id`, groupID)
	if err != nil {
		return nil, fmt.Errorf("invited members: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

func mtCountInvited(ctx context.Context, q mtQuerier, groupID int64) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT count(*) FROM (`+mtInvitedSQL+`) i`, groupID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count invited: %w", err)
	}
	return n, nil
}

// Invited reports whether the user is invited to the occurrence.
func (s *MeetingStore) Invited(ctx context.Context, occurrenceID, userID int64) (bool, error) {
	return mtInvited(ctx, s.Pool, occurrenceID, userID)
}

func mtInvited(ctx context.Context, q mtQuerier, occurrenceID, userID int64) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id
		  JOIN members mem ON mem.user_id = $2 AND mem.active
		  LEFT JOIN group_members gm ON gm.group_id = m.group_id AND gm.user_id = mem.user_id
		 WHERE o.id = $1 AND (m.group_id IS NULL OR gm.status = 'active'))`, occurrenceID, userID).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("invited: %w", err)
	}
	return ok, nil
}

// Respond records an answer and regenerates the member's reminders of the
// occurrence: "no" removes them, "yes" and "maybe" bring them back.
func (s *MeetingStore) Respond(ctx context.Context, occurrenceID, userID int64, r meeting.Response, now time.Time) error {
	if !r.Valid() {
		return fmt.Errorf("respond: invalid answer %q", r)
	}
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var o meeting.Occurrence
		m, err := mtScanMeeting(tx.QueryRow(ctx, `SELECT `+mtMeetingColumns+`, `+mtOccurrenceColumns+`
			FROM meeting_occurrences o JOIN `+mtMeetingFrom+` ON m.id = o.meeting_id WHERE o.id = $1 FOR SHARE OF o`, occurrenceID), mtOccurrenceDest(&o)...)
		if errors.Is(err, pgx.ErrNoRows) {
			return meeting.ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("respond: %w", err)
		}
		ok, err := mtInvited(ctx, tx, occurrenceID, userID)
		switch {
		case err != nil:
			return err
		case !ok:
			return meeting.ErrNotInvited
		case o.Cancelled || m.Cancelled:
			return meeting.ErrCancelled
		case !o.Start.After(now):
			return meeting.ErrStarted
		case r != meeting.No && !o.RegistrationDeadline(m).IsZero() && !now.Before(o.RegistrationDeadline(m)):
			return meeting.ErrRegistrationClosed
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO rsvps (occurrence_id, user_id, response, responded_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (occurrence_id, user_id) DO UPDATE SET response = EXCLUDED.response, responded_at = EXCLUDED.responded_at`,
			occurrenceID, userID, string(r), now); err != nil {
			return fmt.Errorf("respond: %w", err)
		}
		return mtSyncReminders(ctx, tx, s.Location(), mtScope{OccurrenceID: occurrenceID, UserID: userID}, now)
	})
}

// Response is the user's answer, meeting.None if none.
func (s *MeetingStore) Response(ctx context.Context, occurrenceID, userID int64) (meeting.Response, error) {
	var r string
	err := s.Pool.QueryRow(ctx, `SELECT response FROM rsvps WHERE occurrence_id = $1 AND user_id = $2`, occurrenceID, userID).Scan(&r)
	if errors.Is(err, pgx.ErrNoRows) {
		return meeting.None, nil
	}
	if err != nil {
		return meeting.None, fmt.Errorf("response: %w", err)
	}
	return meeting.Response(r), nil
}

// Counts counts the invited members' answers.
func (s *MeetingStore) Counts(ctx context.Context, occurrenceID int64) (meeting.Counts, error) {
	var c meeting.Counts
	err := s.Pool.QueryRow(ctx, `
		SELECT count(*), count(*) FILTER (WHERE r.response = 'yes'), count(*) FILTER (WHERE r.response = 'no'),
		       count(*) FILTER (WHERE r.response = 'maybe')
		  FROM (`+mtInvitedSQL+`) i LEFT JOIN rsvps r ON r.occurrence_id = $2 AND r.user_id = i.user_id`,
		s.groupOf(ctx, occurrenceID), occurrenceID).Scan(&c.Invited, &c.Yes, &c.No, &c.Maybe)
	if err != nil {
		return c, fmt.Errorf("count answers: %w", err)
	}
	return c, nil
}

func (s *MeetingStore) groupOf(ctx context.Context, occurrenceID int64) int64 {
	var g int64
	_ = s.Pool.QueryRow(ctx, `SELECT coalesce(m.group_id, 0) FROM meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id WHERE o.id = $1`, occurrenceID).Scan(&g)
	return g
}

// Attendees lists everyone invited with their answer: yes, maybe, no,
// none; by name within each.
func (s *MeetingStore) Attendees(ctx context.Context, occurrenceID int64) ([]meeting.Attendee, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT mem.user_id, mem.display_name, org.name, coalesce(r.response, ''), r.responded_at
		  FROM (`+mtInvitedSQL+`) i JOIN members mem ON mem.user_id = i.user_id
		  JOIN organisations org ON org.id = mem.organisation_id
		  LEFT JOIN rsvps r ON r.occurrence_id = $2 AND r.user_id = i.user_id
		 ORDER BY array_position(ARRAY['yes', 'maybe', 'no', ''], coalesce(r.response, '')), lower(mem.display_name), mem.user_id`,
		s.groupOf(ctx, occurrenceID), occurrenceID)
	if err != nil {
		return nil, fmt.Errorf("attendees: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (meeting.Attendee, error) {
		var a meeting.Attendee
		var resp string
		var at *time.Time
		err := r.Scan(&a.UserID, &a.Name, &a.Organisation, &resp, &at)
		a.Response = meeting.Response(resp)
		if at != nil {
			a.RespondedAt = *at
		}
		return a, err
	})
}

// Superseded reports whether a shorter reminder of the same occurrence is
// due for the user too: after downtime only the most recent one is sent.
func (s *MeetingStore) Superseded(ctx context.Context, userID, occurrenceID int64, lead int, now time.Time) (bool, error) {
	var ok bool
	err := s.Pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM notifications
		 WHERE user_id = $1 AND kind = $2 AND status = 'pending' AND data ->> 'occurrence' = $3
		   AND (data ->> 'lead')::int < $4 AND due_at <= $5)`,
		userID, meeting.KindReminder, mtID(occurrenceID), lead, now).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("superseded reminder: %w", err)
	}
	return ok, nil
}

// Maintain expands recurring meetings whose occurrences reach less than a
// week short of the horizon, and queues the new occurrences' reminders.
func (s *MeetingStore) Maintain(ctx context.Context, now time.Time) (int, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT id FROM meetings
		 WHERE recurrence <> '' AND cancelled_at IS NULL
		   AND (expanded_until IS NULL OR expanded_until < $1)
		   AND (repeat_until IS NULL OR repeat_until > coalesce(expanded_until, starts_at))`,
		now.Add(meeting.Horizon-7*24*time.Hour))
	if err != nil {
		return 0, fmt.Errorf("maintain meetings: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, fmt.Errorf("maintain meetings: %w", err)
	}
	added := 0
	for _, mid := range ids {
		err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
			m, err := mtGetMeeting(ctx, tx, mid, true)
			if err != nil {
				return err
			}
			starts, err := meeting.Starts(m, s.Location(), now, now.Add(meeting.Horizon))
			if err != nil {
				return err
			}
			for _, t := range starts {
				tag, err := tx.Exec(ctx, `INSERT INTO meeting_occurrences (meeting_id, starts_at, ends_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, mid, t, t.Add(m.Duration))
				if err != nil {
					return fmt.Errorf("expand meeting: %w", err)
				}
				added += int(tag.RowsAffected())
			}
			if _, err := tx.Exec(ctx, `UPDATE meetings SET expanded_until = $2 WHERE id = $1`, mid, now.Add(meeting.Horizon)); err != nil {
				return fmt.Errorf("expand meeting: %w", err)
			}
			return mtSyncReminders(ctx, tx, s.Location(), mtScope{MeetingID: mid}, now)
		})
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

// mtScope limits a reminder regeneration; zero fields don't limit.
type mtScope struct {
	MeetingID, OccurrenceID, UserID, GroupID int64
}

// mtSyncReminders makes the pending reminders in scope exactly what they
// should be now: one per upcoming occurrence, invited member (not paused,
// group not muted, not answered "no") and lead time (the member's own or
// the meeting's). Missing ones are added, moved ones moved, ones no longer
// wanted removed. Sent ones are never touched, so running it again changes
// nothing and no reminder is sent twice. Reminders that became due already
// are not created afresh (a member joining a day before a meeting gets no
// "in a week" reminder), but a pending one stays: after downtime it is
// still sent if the meeting has not started.
func mtSyncReminders(ctx context.Context, tx pgx.Tx, loc *time.Location, sc mtScope, now time.Time) error {
	rows, err := tx.Query(ctx, `
		SELECT o.id, o.revision, o.starts_at, m.id, mem.user_id, coalesce(mem.lead_minutes, m.lead_minutes)
		  FROM meeting_occurrences o
		  JOIN meetings m ON m.id = o.meeting_id
		  JOIN members mem ON mem.active AND NOT mem.paused
		  LEFT JOIN group_members gm ON gm.group_id = m.group_id AND gm.user_id = mem.user_id
		  LEFT JOIN rsvps r ON r.occurrence_id = o.id AND r.user_id = mem.user_id
		 WHERE o.cancelled_at IS NULL AND m.cancelled_at IS NULL AND o.starts_at > $1
		   AND (m.group_id IS NULL OR (gm.status = 'active' AND NOT gm.muted))
		   AND (r.response IS NULL OR r.response <> 'no')
		   AND ($2::bigint = 0 OR m.id = $2) AND ($3::bigint = 0 OR o.id = $3) AND ($4::bigint = 0 OR mem.user_id = $4) AND ($5::bigint = 0 OR m.group_id = $5)`,
		now, sc.MeetingID, sc.OccurrenceID, sc.UserID, sc.GroupID)
	if err != nil {
		return fmt.Errorf("reminders: %w", err)
	}
	type want struct {
		occ, meeting, user int64
		rev                int
		start              time.Time
		leads              []int
	}
	wants, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (want, error) {
		var w want
		return w, r.Scan(&w.occ, &w.rev, &w.start, &w.meeting, &w.user, &w.leads)
	})
	if err != nil {
		return fmt.Errorf("reminders: %w", err)
	}
	keys := []string{}
	var batch []notify.Notification
	for _, w := range wants {
		for _, lead := range w.leads {
			key := meeting.ReminderKey(w.occ, w.rev, w.user, lead)
			keys = append(keys, key)
			due := meeting.ReminderDue(w.start, lead, loc)
			if !due.After(now) {
				continue
			}
			batch = append(batch, notify.Notification{
				Kind: meeting.KindReminder, UserID: w.user, Key: key, DueAt: due, ExpiresAt: w.start,
				Data: map[string]string{"occurrence": mtID(w.occ), "revision": strconv.Itoa(w.rev), "lead": strconv.Itoa(lead), "meeting": mtID(w.meeting)},
			})
		}
	}
	if _, err := tx.Exec(ctx, `
		DELETE FROM notifications n
		 USING meeting_occurrences o JOIN meetings m ON m.id = o.meeting_id
		 WHERE n.kind = $1 AND n.status = 'pending' AND o.id = (n.data ->> 'occurrence')::bigint
		   AND ($2::bigint = 0 OR m.id = $2) AND ($3::bigint = 0 OR o.id = $3) AND ($4::bigint = 0 OR n.user_id = $4) AND ($5::bigint = 0 OR m.group_id = $5)
		   AND NOT (n.key = ANY($6))`,
		meeting.KindReminder, sc.MeetingID, sc.OccurrenceID, sc.UserID, sc.GroupID, keys); err != nil {
		return fmt.Errorf("remove reminders: %w", err)
	}
	return mtScheduleAll(ctx, tx, batch)
}

// mtScheduleAll schedules notifications in one round trip, through the same
// ScheduleNotification as everyone else.
func mtScheduleAll(ctx context.Context, tx pgx.Tx, ns []notify.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	b := &mtBatch{}
	for _, n := range ns {
		if err := ScheduleNotification(ctx, b, n); err != nil {
			return err
		}
	}
	if err := tx.SendBatch(ctx, &b.Batch).Close(); err != nil {
		return fmt.Errorf("schedule notifications: %w", err)
	}
	return nil
}

// mtBatch is an Execer that queues statements in a pgx.Batch.
type mtBatch struct{ pgx.Batch }

func (b *mtBatch) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	b.Queue(sql, args...)
	return pgconn.CommandTag{}, nil
}

func mtID(n int64) string { return strconv.FormatInt(n, 10) }

// mtText stores a localized text as JSON, {} when empty.
func mtText(t member.Text) member.Text {
	if t == nil {
		return member.Text{}
	}
	return t
}

func mtNullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
