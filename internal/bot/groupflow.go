package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/user"
)

// The flow in which a coordinator creates a working group from the chat:
// name → open to all or with approval → standing or ending on a date →
// summary → create. (An import can also create groups, with external ids;
// one made here has none.) The draft lives in the conversation state, so a
// restart keeps it; every step and the creation check the role again.

const flowGroup = "group"

// groupFlowButton answers gnf:new|appr:<0|1>|term:<s|d>|ok|no.
func (b *Bot) groupFlowButton(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "group_create"); !ok {
		return deny, nil
	}
	action, value := arg(r.Args, 0), arg(r.Args, 1)
	switch action {
	case "new":
		return b.groupAsk(ctx, r, "name", draft{})
	case "no":
		if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
			return nil, err
		}
		return []Reply{{Text: r.L.T("mtf_aborted"), Buttons: Keyboard{groupsBack(r)}, Edit: true}}, nil
	}
	if r.State.Flow != flowGroup {
		return b.staleButton(ctx, r)
	}
	d := draft(r.State.Data)
	switch {
	case action == "appr" && r.State.Step == "appr" && (value == "0" || value == "1"):
		d["appr"] = value
		return b.groupAsk(ctx, r, "term", d)
	case action == "term" && r.State.Step == "term" && value == "s":
		delete(d, "until")
		return b.groupAsk(ctx, r, "confirm", d)
	case action == "term" && r.State.Step == "term" && value == "d":
		return b.groupAsk(ctx, r, "until", d)
	case action == "ok" && r.State.Step == "confirm" && d["name"] != "" && d["appr"] != "":
		return b.groupCreate(ctx, r, d)
	}
	return b.staleButton(ctx, r)
}

// groupText takes what the flow waits for as text: the name, the end date.
func (b *Bot) groupText(ctx context.Context, r *Request) ([]Reply, error) {
	if deny, ok := b.requireRole(r, user.RoleCoordinator, "group_create"); !ok {
		_ = b.d.Conversations.Clear(ctx, r.User.ID)
		return deny, nil
	}
	d := draft(r.State.Data)
	if d == nil {
		d = draft{}
	}
	l := r.L
	text := strings.TrimSpace(r.Text)
	switch r.State.Step {
	case "name":
		if text == "" || strings.ContainsAny(text, "\r\n") || utf8.RuneCountInString(text) > member.MaxGroupName {
			return []Reply{Text(l.T("gnf_name_invalid", "Max", member.MaxGroupName))}, nil
		}
		d["name"], d["lang"] = text, l.Lang
		return b.groupAsk(ctx, r, "appr", d)
	case "until":
		day, ok := parseDay(text, b.netLoc())
		if !ok || !day.After(b.d.Now()) {
			return []Reply{Text(l.T("gnf_until_invalid", "Example", b.exampleDay()))}, nil
		}
		d["until"] = day.Format(time.DateOnly)
		return b.groupAsk(ctx, r, "confirm", d)
	}
	return []Reply{Text(l.T("mtf_use_buttons"))}, nil
}

// groupAsk moves the flow to step and asks for it.
func (b *Bot) groupAsk(ctx context.Context, r *Request, step string, d draft) ([]Reply, error) {
	r.State = conversation.State{Flow: flowGroup, Step: step, Data: d}
	if err := b.d.Conversations.Set(ctx, r.User.ID, r.State); err != nil {
		return nil, err
	}
	l := r.L
	edit := r.Callback != nil
	abort := Row(l, Button{Text: l.T("mtf_btn_abort"), Data: "gnf:no"})
	switch step {
	case "name":
		return []Reply{{Text: l.T("gnf_ask_name", "Max", member.MaxGroupName), Buttons: Keyboard{abort}, Edit: edit}}, nil
	case "appr":
		return []Reply{{Text: l.T("gnf_ask_approval", "Name", d["name"]), Buttons: Keyboard{
			Row(l, Button{Text: l.T("gnf_btn_open"), Data: "gnf:appr:0"}),
			Row(l, Button{Text: l.T("gnf_btn_approval"), Data: "gnf:appr:1"}),
			abort,
		}, Edit: edit}}, nil
	case "term":
		return []Reply{{Text: l.T("gnf_ask_term"), Buttons: Keyboard{
			Row(l, Button{Text: l.T("gnf_btn_standing"), Data: "gnf:term:s"}),
			Row(l, Button{Text: l.T("gnf_btn_until"), Data: "gnf:term:d"}),
			abort,
		}, Edit: edit}}, nil
	case "until":
		return []Reply{{Text: l.T("gnf_ask_until", "Example", b.exampleDay()), Buttons: Keyboard{abort}, Edit: edit}}, nil
	}
	access := l.T("gnf_btn_open")
	if d["appr"] == "1" {
		access = l.T("gnf_btn_approval")
	}
	term := l.T("gnf_btn_standing")
	if until, err := time.Parse(time.DateOnly, d["until"]); err == nil {
		term = "📅 " + l.T("grp_until", "Date", netDate(l, until))
	}
	return []Reply{{Text: l.T("gnf_summary", "Name", d["name"], "Access", access, "Term", term), Buttons: Keyboard{
		Row(l, Button{Text: l.T("mtf_btn_save"), Data: "gnf:ok"}, Button{Text: l.T("mtf_btn_abort"), Data: "gnf:no"}),
	}, Edit: edit}}, nil
}

// groupCreate stores the group and shows it, to join it or go back.
func (b *Bot) groupCreate(ctx context.Context, r *Request, d draft) ([]Reply, error) {
	g := member.Group{Name: member.Text{d["lang"]: d["name"]}, NeedsApproval: d["appr"] == "1"}
	if until, err := time.Parse(time.DateOnly, d["until"]); err == nil {
		g.EndsOn = until
	}
	id, err := b.d.Members.CreateGroup(ctx, g)
	if err != nil {
		return nil, err
	}
	if err := b.d.Conversations.Clear(ctx, r.User.ID); err != nil {
		return nil, err
	}
	b.log.Info("working group created", "user_id", r.User.ID, "group_id", id)
	l := r.L
	return []Reply{{Text: l.T("gnf_created", "Name", d["name"]), Buttons: Keyboard{
		Row(l, Button{Text: netTruncate(d["name"], 50), Data: "grp:show:" + netItoa(id)}),
		groupsBack(r),
	}, Edit: true}}, nil
}

// groupsBack leads back to the list of working groups.
func groupsBack(r *Request) []Button {
	return []Button{{Text: r.L.T("button_back"), Data: "grp:list"}}
}

// exampleDay is four weeks from now, written as parseDay reads it.
func (b *Bot) exampleDay() string {
	return b.d.Now().In(b.netLoc()).AddDate(0, 0, 28).Format("02.01.2006")
}

var dayRe = regexp.MustCompile(`^(\d{1,2})\.(\d{1,2})\.(\d{4})$`)

// parseDay reads "31.03.2027", "31.3.2027" or "2027-03-31" as the start of
// that day in loc.
func parseDay(s string, loc *time.Location) (time.Time, bool) {
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, true
	}
	m := dayRe.FindStringSubmatch(s)
	if m == nil {
		return time.Time{}, false
	}
	day, _ := strconv.Atoi(m[1])
	month, _ := strconv.Atoi(m[2])
	year, _ := strconv.Atoi(m[3])
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, loc)
	if t.Day() != day || int(t.Month()) != month {
		return time.Time{}, false
	}
	return t, true
}
