package bot

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/notify"
	"github.com/netzbot/netzbot/internal/user"
)

// Renderers of the meeting notifications. They run when the worker sends
// them, so the text is in the member's language of that moment and shows
// the meeting as it is then. Each carries the RSVP buttons, and for
// working-group sessions "mute this group".

// notificationOccurrence loads the occurrence a notification is about.
func (b *Bot) notificationOccurrence(ctx context.Context, n notify.Notification, u *user.User) (*meeting.Item, error) {
	occID, err := strconv.ParseInt(n.Data["occurrence"], 10, 64)
	if err != nil {
		return nil, notify.ErrObsolete
	}
	o, m, err := b.d.Meetings.Occurrence(ctx, occID)
	if errors.Is(err, meeting.ErrNotFound) {
		return nil, notify.ErrObsolete
	}
	if err != nil {
		return nil, err
	}
	it := &meeting.Item{Occurrence: *o, Meeting: m}
	if it.Response, err = b.d.Meetings.Response(ctx, occID, u.ID); err != nil {
		return nil, err
	}
	return it, nil
}

// meetingButtons are the buttons under a reminder or notice.
func meetingButtons(l *locale.Localizer, it *meeting.Item) Keyboard {
	kb := Keyboard{rsvpRow(l, it.Occurrence.ID)}
	if it.Meeting.GroupID != 0 {
		kb = append(kb, Row(l, Button{Text: l.T("mt_btn_mute"), Data: "grp:mute:" + netItoa(it.Meeting.GroupID) + ":r"}))
	}
	return append(kb, Row(l, Button{Text: l.T("mt_btn_details"), Data: "mt:show:" + netItoa(it.Occurrence.ID)}))
}

// renderReminder renders a meeting reminder. It is obsolete when the
// occurrence was cancelled or moved (a new revision has its own reminders)
// or when a shorter reminder of it is due as well (after downtime only the
// latest one is sent).
func (b *Bot) renderReminder(ctx context.Context, n notify.Notification, u *user.User, l *locale.Localizer) ([]Reply, error) {
	it, err := b.notificationOccurrence(ctx, n, u)
	if err != nil {
		return nil, err
	}
	if it.Occurrence.Cancelled || it.Meeting.Cancelled || strconv.Itoa(it.Occurrence.Revision) != n.Data["revision"] || it.Response == meeting.No {
		return nil, notify.ErrObsolete
	}
	lead, _ := strconv.Atoi(n.Data["lead"])
	superseded, err := b.d.Meetings.Superseded(ctx, u.ID, it.Occurrence.ID, lead, b.d.Now())
	if err != nil {
		return nil, err
	}
	if superseded {
		return nil, notify.ErrObsolete
	}
	text := l.T("mt_reminder_head", "In", b.untilLabel(l, it.Occurrence.Start)) + "\n\n" + b.meetingCard(l, *it, netCardOptions{answer: true})
	return []Reply{{Text: text, Buttons: meetingButtons(l, it)}}, nil
}

// untilLabel says roughly how long until start: "in 2 Tagen" style, in
// whole days, hours or minutes.
func (b *Bot) untilLabel(l *locale.Localizer, start time.Time) string {
	d := start.Sub(b.d.Now())
	switch {
	case d >= 22*time.Hour: // a day-based reminder, a few minutes late or early
		return l.N("mt_in_days", int((d+12*time.Hour)/(24*time.Hour)))
	case d >= time.Hour:
		return l.N("mt_in_hours", int((d+10*time.Minute)/time.Hour))
	}
	return l.N("mt_in_minutes", max(1, int(d/time.Minute)))
}

// renderChange tells everyone invited that the time or place changed.
func (b *Bot) renderChange(ctx context.Context, n notify.Notification, u *user.User, l *locale.Localizer) ([]Reply, error) {
	it, err := b.notificationOccurrence(ctx, n, u)
	if err != nil {
		return nil, err
	}
	if it.Occurrence.Cancelled || it.Meeting.Cancelled {
		return nil, notify.ErrObsolete
	}
	text := l.T("mt_change_head", "Title", it.Meeting.Title.In(l.Lang))
	if s := n.Data["old_start"]; s != "" {
		if old, err := time.Parse(time.RFC3339, s); err == nil {
			text += "\n" + l.T("mt_change_time", "Old", b.netWhen(l, old))
		}
	}
	if p := n.Data["old_place"]; p != "" {
		text += "\n" + l.T("mt_change_place", "Old", p)
	}
	text += "\n\n" + b.meetingCard(l, *it, netCardOptions{answer: true})
	return []Reply{{Text: text, Buttons: meetingButtons(l, it)}}, nil
}

// renderCancel tells everyone invited that a date (or all) is cancelled.
func (b *Bot) renderCancel(ctx context.Context, n notify.Notification, u *user.User, l *locale.Localizer) ([]Reply, error) {
	it, err := b.notificationOccurrence(ctx, n, u)
	if err != nil {
		return nil, err
	}
	title := it.Meeting.Title.In(l.Lang)
	if n.Data["series"] == "1" {
		return []Reply{Text(l.T("mt_cancel_notice_series", "Title", title))}, nil
	}
	return []Reply{Text(l.T("mt_cancel_notice", "Title", title, "When", b.netWhen(l, it.Occurrence.Start)))}, nil
}
