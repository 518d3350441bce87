package bot

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/user"
)

// The guided flow in which a coordinator creates a meeting or edits one:
// who is invited → title → date and time → duration → repetition → place →
// agenda → registration deadline → summary → confirm. An edit starts at the
// summary of the stored meeting and changes one value at a time. The draft
// lives in the conversation state (PostgreSQL), so a restart keeps it; every
// step and the confirmation check the role again.

// Durations offered, in minutes.
var meetingDurations = []int{60, 90, 120, 180}

// Registration deadlines offered, in minutes before the start (0: none).
var meetingDeadlines = []int{0, 1440, 3 * 1440, 7 * 1440}

// draft is a meeting being written, as kept in the conversation state.
type draft map[string]string

func (d draft) int(key string) int {
	n, _ := strconv.Atoi(d[key])
	return n
}

func (d draft) start() time.Time {
	t, _ := time.Parse(time.RFC3339, d["start"])
	return t
}

func (d draft) leads() []int {
	var out []int
	for _, s := range strings.Split(d["leads"], ",") {
		if n, err := strconv.Atoi(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// draftOf is the draft of a stored meeting, for editing it.
func draftOf(m *meeting.Meeting, next *meeting.Occurrence, lang string) draft {
	d := draft{
		"id": netItoa(m.ID), "group": netItoa(m.GroupID), "lang": lang, "title": m.Title.In(lang),
		"start": m.Start.UTC().Format(time.RFC3339), "dur": strconv.Itoa(int(m.Duration / time.Minute)),
		"rule": m.Recurrence, "venue": m.Venue, "online": m.OnlineURL, "agenda": m.Agenda,
		"dl": strconv.Itoa(int(m.RegistrationBefore / time.Minute)), "leads": joinInts(m.LeadMinutes),
	}
	if next != nil && m.Recurring() {
		d["start"] = next.Start.UTC().Format(time.RFC3339)
	}
	return d
}

// apply writes the draft into m (a new meeting, or a copy of the stored one).
func (d draft) apply(m *meeting.Meeting) {
	if m.Title == nil {
		m.Title = member.Text{}
	}
	lang := d["lang"]
	if m.Title.In(lang) != d["title"] {
		// The coordinator wrote the title in their language: other
		// translations of the old title no longer fit.
		m.Title = member.Text{lang: d["title"]}
	}
	m.GroupID = int64(d.int("group"))
	m.Start = d.start()
	m.Duration = time.Duration(d.int("dur")) * time.Minute
	m.Recurrence = d["rule"]
	m.Venue, m.OnlineURL, m.Agenda = d["venue"], d["online"], d["agenda"]
	m.RegistrationBefore = time.Duration(d.int("dl")) * time.Minute
	m.LeadMinutes = d.leads()
}

// meetingFlowStart starts creating a meeting (mt:new).
func (b *Bot) meetingFlowStart(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "meeting_create"); !ok {
		return deny, nil
	}
	groups, err := b.d.Members.AllGroups(ctx, b.d.Now())
	if err != nil {
		return nil, err
	}
	d := draft{"lang": r.L.Lang, "leads": joinInts(member.DefaultLeadMinutes), "dl": "0", "group": "0"}
	if err := b.setDraft(ctx, r, "kind", d); err != nil {
		return nil, err
	}
	l := r.L
	kb := Keyboard{Row(l, Button{Text: l.T("mtf_kind_network"), Data: "mtf:kind:0"})}
	for _, g := range groups {
		kb = append(kb, Row(l, Button{Text: "👥 " + netTruncate(g.Name.In(l.Lang), 40), Data: "mtf:kind:" + netItoa(g.ID)}))
	}
	kb = append(kb, Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "mtf:no"}))
	return []Reply{{Text: l.T("mtf_kind"), Buttons: kb, Edit: r.Callback != nil}}, nil
}

func (b *Bot) setDraft(ctx context.Context, r *Request, step string, d draft) error {
	r.State = conversation.State{Flow: flowMeeting, Step: step, Data: d}
	return b.d.Conversations.Set(ctx, r.User.ID, r.State)
}

// meetingEditMenu starts editing a meeting (mt:edit:<meeting>) at its summary.
func (b *Bot) meetingEditMenu(ctx context.Context, r *Request, meetingID int64) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "meeting_edit"); !ok {
		return deny, nil
	}
	m, deny, err := b.managedMeeting(ctx, r, meetingID)
	if deny != nil || err != nil {
		return deny, err
	}
	if m.Cancelled {
		return []Reply{{Toast: r.L.T("mt_gone")}}, nil
	}
	next, err := b.d.Meetings.Next(ctx, m.ID, b.d.Now())
	if errors.Is(err, meeting.ErrNotFound) {
		return []Reply{{Toast: r.L.T("mt_started")}}, nil
	}
	if err != nil {
		return nil, err
	}
	d := draftOf(m, next, r.L.Lang)
	if err := b.setDraft(ctx, r, "confirm", d); err != nil {
		return nil, err
	}
	return b.meetingSummary(ctx, r, d, true)
}

// meetingFlowButton handles the flow's buttons: mtf:<action>[:<value>].
func (b *Bot) meetingFlowButton(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "meeting_flow"); !ok {
		return deny, nil
	}
	action, value := arg(r.Args, 0), arg(r.Args, 1)
	if action == "no" {
		if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
			return nil, err
		}
		return []Reply{{Text: r.L.T("mtf_aborted"), Buttons: Keyboard{networkBack(r.L)}, Edit: true}}, nil
	}
	if r.State.Flow != flowMeeting {
		return b.staleButton(ctx, r)
	}
	d := draft(r.State.Data)
	if d == nil {
		d = draft{}
	}
	n, numErr := strconv.Atoi(value)
	switch action {
	case "kind":
		if r.State.Step != "kind" || numErr != nil || n < 0 {
			return b.staleButton(ctx, r)
		}
		if n > 0 {
			g, err := b.d.Members.Group(ctx, int64(n))
			if errors.Is(err, member.ErrNotFound) || (err == nil && g.Ended(b.d.Now(), b.netLoc())) {
				return b.forged(r, "meeting_create"), nil
			}
			if err != nil {
				return nil, err
			}
		}
		d["group"] = value
		return b.meetingAsk(ctx, r, "title", d)
	case "dur":
		if r.State.Step != "dur" || !slices.Contains(meetingDurations, n) {
			return b.staleButton(ctx, r)
		}
		d["dur"] = value
		return b.meetingAsk(ctx, r, "rep", d)
	case "rep":
		if r.State.Step != "rep" {
			return b.staleButton(ctx, r)
		}
		rule, ok := b.ruleFor(value, d)
		if !ok {
			return b.staleButton(ctx, r)
		}
		d["rule"] = rule
		if d["id"] != "" {
			return b.meetingAsk(ctx, r, "confirm", d)
		}
		return b.meetingAsk(ctx, r, "place", d)
	case "skip":
		if r.State.Step != "agenda" {
			return b.staleButton(ctx, r)
		}
		d["agenda"] = ""
		if d["id"] != "" {
			return b.meetingAsk(ctx, r, "confirm", d)
		}
		return b.meetingAsk(ctx, r, "dl", d)
	case "dl":
		if r.State.Step != "dl" || !slices.Contains(meetingDeadlines, n) {
			return b.staleButton(ctx, r)
		}
		d["dl"] = value
		return b.meetingAsk(ctx, r, "confirm", d)
	case "ed":
		if r.State.Step != "confirm" {
			return b.staleButton(ctx, r)
		}
		steps := map[string]string{"title": "title", "time": "start", "place": "place", "agenda": "agenda", "dl": "dl", "leads": "leads"}
		step, ok := steps[value]
		if !ok {
			return b.malformedButton(ctx, r)
		}
		return b.meetingAsk(ctx, r, step, d)
	case "lead":
		if r.State.Step != "leads" || !slices.Contains(member.LeadOptions, n) {
			return b.staleButton(ctx, r)
		}
		leads := d.leads()
		if i := slices.Index(leads, n); i >= 0 {
			leads = slices.Delete(leads, i, i+1)
		} else {
			leads = append(leads, n)
		}
		d["leads"] = joinInts(member.NormalizeLeads(leads))
		return b.meetingAsk(ctx, r, "leads", d)
	case "back":
		if r.State.Step != "leads" {
			return b.staleButton(ctx, r)
		}
		return b.meetingAsk(ctx, r, "confirm", d)
	case "ok":
		if r.State.Step != "confirm" {
			return b.staleButton(ctx, r)
		}
		return b.meetingSave(ctx, r, d)
	}
	return b.malformedButton(ctx, r)
}

// meetingText takes what the coordinator typed for the current step.
func (b *Bot) meetingText(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "meeting_flow"); !ok {
		_ = b.d.Conversations.Clear(ctx, r.User.ID)
		return deny, nil
	}
	d := draft(r.State.Data)
	if d == nil {
		d = draft{}
	}
	text := strings.TrimSpace(r.Text)
	edit := d["id"] != ""
	switch r.State.Step {
	case "title":
		if text == "" || len([]rune(text)) > meeting.MaxTitle {
			return []Reply{Text(r.L.T("mtf_title_invalid"))}, nil
		}
		d["title"], d["lang"] = text, r.L.Lang
		if edit {
			return b.meetingAsk(ctx, r, "confirm", d)
		}
		return b.meetingAsk(ctx, r, "start", d)
	case "start":
		t, ok := parseMeetingTime(text, b.d.Now(), b.netLoc())
		if !ok {
			return []Reply{Text(r.L.T("mtf_start_invalid", "Example", b.exampleTime(r.L)))}, nil
		}
		if !t.After(b.d.Now()) {
			return []Reply{Text(r.L.T("mtf_start_past"))}, nil
		}
		d["start"] = t.UTC().Format(time.RFC3339)
		if edit && d["dur"] != "" {
			return b.meetingAsk(ctx, r, "rep", d)
		}
		return b.meetingAsk(ctx, r, "dur", d)
	case "place":
		if text == "" || len([]rune(text)) > meeting.MaxPlace {
			return []Reply{Text(r.L.T("mtf_place"))}, nil
		}
		if meeting.IsURL(text) {
			d["online"], d["venue"] = text, ""
		} else {
			d["venue"], d["online"] = text, ""
		}
		if edit {
			return b.meetingAsk(ctx, r, "confirm", d)
		}
		return b.meetingAsk(ctx, r, "agenda", d)
	case "agenda":
		if len([]rune(text)) > meeting.MaxAgenda {
			return []Reply{Text(r.L.T("mtf_agenda"))}, nil
		}
		d["agenda"] = text
		if edit {
			return b.meetingAsk(ctx, r, "confirm", d)
		}
		return b.meetingAsk(ctx, r, "dl", d)
	}
	return []Reply{Text(r.L.T("mtf_use_buttons"))}, nil
}

// meetingAsk moves the flow to step and asks for it.
func (b *Bot) meetingAsk(ctx context.Context, r *Request, step string, d draft) ([]Reply, error) {
	if err := b.setDraft(ctx, r, step, d); err != nil {
		return nil, err
	}
	l := r.L
	edit := r.Callback != nil
	abort := Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "mtf:no"})
	switch step {
	case "title":
		return []Reply{{Text: l.T("mtf_title"), Buttons: Keyboard{abort}, Edit: edit}}, nil
	case "start":
		return []Reply{{Text: l.T("mtf_start", "Example", b.exampleTime(l)), Buttons: Keyboard{abort}, Edit: edit}}, nil
	case "dur":
		row := make([]Button, 0, len(meetingDurations))
		for _, m := range meetingDurations {
			row = append(row, Button{Text: l.N("net_duration_minutes", m), Data: "mtf:dur:" + strconv.Itoa(m)})
		}
		return []Reply{{Text: l.T("mtf_duration"), Buttons: Keyboard{Row(l, row[:2]...), Row(l, row[2:]...), abort}, Edit: edit}}, nil
	case "rep":
		start := d.start().In(b.netLoc())
		kb := Keyboard{
			Row(l, Button{Text: l.T("mt_repeat_once"), Data: "mtf:rep:once"}),
			Row(l, Button{Text: l.T("mt_repeat_weekly", "Weekday", netWeekdayLong(l, start.Weekday())), Data: "mtf:rep:weekly"}),
		}
		if _, ok := meeting.MonthlyRule(start, b.netLoc()); ok {
			kb = append(kb, Row(l, Button{Text: l.T("mt_repeat_monthly", "Nth", meeting.NthWeekday(start), "Weekday", netWeekdayLong(l, start.Weekday())), Data: "mtf:rep:monthly"}))
		}
		if d["id"] != "" && d["rule"] != "" {
			kb = append(kb, Row(l, Button{Text: l.T("mtf_repeat_keep"), Data: "mtf:rep:keep"}))
		}
		kb = append(kb, abort)
		return []Reply{{Text: l.T("mtf_repeat"), Buttons: kb, Edit: edit}}, nil
	case "place":
		return []Reply{{Text: l.T("mtf_place"), Buttons: Keyboard{abort}, Edit: edit}}, nil
	case "agenda":
		return []Reply{{Text: l.T("mtf_agenda"), Buttons: Keyboard{Row(l, Button{Text: l.T("mtf_btn_skip"), Data: "mtf:skip"}), abort}, Edit: edit}}, nil
	case "dl":
		var kb Keyboard
		for _, m := range meetingDeadlines {
			label := l.T("mtf_deadline_none")
			if m > 0 {
				label = leadLabel(l, m)
			}
			kb = append(kb, Row(l, Button{Text: label, Data: "mtf:dl:" + strconv.Itoa(m)}))
		}
		return []Reply{{Text: l.T("mtf_deadline"), Buttons: append(kb, abort), Edit: edit}}, nil
	case "leads":
		leads := d.leads()
		var kb Keyboard
		for i := 0; i < len(member.LeadOptions); i += 3 {
			var row []Button
			for _, m := range member.LeadOptions[i:min(i+3, len(member.LeadOptions))] {
				label := leadLabel(l, m)
				if slices.Contains(leads, m) {
					label = "✅ " + label
				}
				row = append(row, Button{Text: label, Data: "mtf:lead:" + strconv.Itoa(m)})
			}
			kb = append(kb, Row(l, row...))
		}
		kb = append(kb, Row(l, Button{Text: l.T("mtf_btn_done"), Data: "mtf:back"}))
		return []Reply{{Text: l.T("mtf_leads"), Buttons: kb, Edit: edit}}, nil
	}
	return b.meetingSummary(ctx, r, d, edit)
}

// meetingSummary shows the draft as members will see it, with what repeats
// and reminds, and buttons to change a value or confirm.
func (b *Bot) meetingSummary(ctx context.Context, r *Request, d draft, edit bool) ([]Reply, error) {
	l := r.L
	m := &meeting.Meeting{}
	d.apply(m)
	if m.GroupID != 0 {
		g, err := b.d.Members.Group(ctx, m.GroupID)
		if err != nil && !errors.Is(err, member.ErrNotFound) {
			return nil, err
		}
		if g != nil {
			m.GroupName = g.Name
		}
	}
	it := meeting.Item{Meeting: m, Occurrence: meeting.Occurrence{Start: m.Start, End: m.Start.Add(m.Duration)}}
	head := l.T("mtf_summary_new")
	if d["id"] != "" {
		head = l.T("mtf_summary_edit")
	}
	leads := l.T("mtf_leads_none")
	if len(m.LeadMinutes) > 0 {
		leads = leadsLabel(l, m.LeadMinutes)
	}
	text := head + "\n\n" + b.meetingCard(l, it, netCardOptions{}) + "\n\n" +
		l.T("mtf_line_repeat", "Repeat", b.ruleLabel(l, m.Recurrence, m.Start)) + "\n" +
		l.T("mtf_line_leads", "Leads", leads)
	kb := Keyboard{
		Row(l, Button{Text: l.T("mtf_btn_title"), Data: "mtf:ed:title"}, Button{Text: l.T("mtf_btn_time"), Data: "mtf:ed:time"}),
		Row(l, Button{Text: l.T("mtf_btn_place"), Data: "mtf:ed:place"}, Button{Text: l.T("mtf_btn_agenda"), Data: "mtf:ed:agenda"}),
		Row(l, Button{Text: l.T("mtf_btn_deadline"), Data: "mtf:ed:dl"}, Button{Text: l.T("mtf_btn_leads"), Data: "mtf:ed:leads"}),
		Row(l, Button{Text: l.T("mtf_btn_save"), Data: "mtf:ok"}, Button{Text: l.T("mtf_btn_abort"), Data: "mtf:no"}),
	}
	return []Reply{{Text: text, Buttons: kb, Edit: edit}}, nil
}

// ruleFor turns the repetition chosen into a rule for the draft's start.
func (b *Bot) ruleFor(choice string, d draft) (string, bool) {
	start := d.start()
	switch choice {
	case "once":
		return "", true
	case "weekly":
		return meeting.WeeklyRule(start, b.netLoc()), true
	case "monthly":
		return meeting.MonthlyRule(start, b.netLoc())
	case "keep":
		return d["rule"], d["rule"] != ""
	}
	return "", false
}

// ruleLabel describes a rule in words where it is one of ours.
func (b *Bot) ruleLabel(l *locale.Localizer, rule string, start time.Time) string {
	local := start.In(b.netLoc())
	switch {
	case rule == "":
		return l.T("mt_repeat_once")
	case rule == meeting.WeeklyRule(start, b.netLoc()):
		return l.T("mt_repeat_weekly", "Weekday", netWeekdayLong(l, local.Weekday()))
	}
	if monthly, ok := meeting.MonthlyRule(start, b.netLoc()); ok && rule == monthly {
		return l.T("mt_repeat_monthly", "Nth", meeting.NthWeekday(local), "Weekday", netWeekdayLong(l, local.Weekday()))
	}
	return l.T("mt_repeat_custom", "Rule", rule)
}

// meetingSave creates or updates the meeting after the confirmation,
// checking the role (and for an edit the meeting) once more.
func (b *Bot) meetingSave(ctx context.Context, r *Request, d draft) ([]Reply, error) {
	now := b.d.Now()
	l := r.L
	var reply string
	if d["id"] == "" {
		org, err := b.coordinatorOrg(ctx, r)
		if err != nil {
			return nil, err
		}
		m := &meeting.Meeting{OrganisationID: org, CreatedBy: r.User.ID}
		d.apply(m)
		if !m.Start.After(now) {
			return b.meetingAsk(ctx, r, "start", d)
		}
		stored, invited, err := b.d.Meetings.Create(ctx, m, now)
		if err != nil {
			b.log.Warn("creating meeting failed", "error", err)
			return []Reply{{Toast: l.T("mtf_invalid")}}, nil
		}
		b.log.Info("meeting created", "meeting_id", stored.ID, "by", r.User.ID, "invited", invited)
		reply = l.T("mtf_created", "Title", stored.Title.In(l.Lang), "Count", invited)
	} else {
		id, _ := strconv.ParseInt(d["id"], 10, 64)
		m, deny, err := b.managedMeeting(ctx, r, id)
		if deny != nil || err != nil {
			return deny, err
		}
		if m.Recurring() {
			// The draft's start is the next date; keep the series' first
			// date unless the time of day or the rule changed.
			if next, err := b.d.Meetings.Next(ctx, m.ID, now); err == nil && next.Start.Equal(d.start()) && d["rule"] == m.Recurrence {
				d["start"] = m.Start.UTC().Format(time.RFC3339)
			}
		}
		group := m.GroupID
		d.apply(m)
		m.GroupID = group
		ch, err := b.d.Meetings.Update(ctx, m, now)
		if errors.Is(err, meeting.ErrCancelled) {
			return []Reply{{Toast: l.T("mt_gone")}}, nil
		}
		if err != nil {
			b.log.Warn("updating meeting failed", "error", err)
			return []Reply{{Toast: l.T("mtf_invalid")}}, nil
		}
		b.log.Info("meeting updated", "meeting_id", m.ID, "by", r.User.ID, "time", ch.Time, "place", ch.Place, "notices", ch.Notified)
		reply = l.T("mtf_saved", "Title", m.Title.In(l.Lang), "Count", ch.Notified)
	}
	if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
		return nil, err
	}
	b.kick()
	return []Reply{{Text: reply, Buttons: Keyboard{Row(l, Button{Text: l.T("net_btn_meetings"), Data: "mt:list"}), networkBack(l)}, Edit: true}}, nil
}

// exampleTime is tomorrow at 14:00, written as the bot expects a date.
func (b *Bot) exampleTime(l *locale.Localizer) string {
	t := b.d.Now().In(b.netLoc()).AddDate(0, 0, 7)
	return t.Format("02.01.2006") + " 14:00"
}

var shortDateRe = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.?,?\s+(\d{1,2})[:.](\d{2})(?:\s*(?:Uhr|h))?$`)

// parseMeetingTime reads "24.03.2026 14:00", "24.3.2026 14:00",
// "2026-03-24 14:00" or "24.03. 14:00" (the next such date) in loc.
func parseMeetingTime(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), " Uhr"))
	if t, err := meeting.ParseLocal(s, loc); err == nil {
		return t, true
	}
	m := shortDateRe.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	hour, _ := strconv.Atoi(m[3])
	minute, _ := strconv.Atoi(m[4])
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 {
		return time.Time{}, false
	}
	year := now.In(loc).Year()
	t := time.Date(year, time.Month(month), day, hour, minute, 0, 0, loc)
	if t.Day() != day {
		return time.Time{}, false
	}
	if !t.After(now) {
		t = time.Date(year+1, time.Month(month), day, hour, minute, 0, 0, loc)
	}
	return t, true
}

// managedMeeting loads a meeting the user may edit; a missing meeting or one
// of another organisation is a forged button: refused, logged, nothing done.
func (b *Bot) managedMeeting(ctx context.Context, r *Request, id int64) (*meeting.Meeting, []Reply, error) {
	m, err := b.d.Meetings.Get(ctx, id)
	if errors.Is(err, meeting.ErrNotFound) {
		return nil, b.forged(r, "meeting_edit"), nil
	}
	if err != nil {
		return nil, nil, err
	}
	ok, err := b.canManage(ctx, r, m)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, b.forged(r, "meeting_edit"), nil
	}
	return m, nil, nil
}
