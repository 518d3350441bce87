package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/app"
	"github.com/netzbot/netzbot/internal/meeting"
	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/user"
)

// demoUserID is the Telegram id of the person at the demo's terminal.
const demoUserID = 424242

// makeDemoAdmin makes the demo user an admin: they can try everything,
// coordinators' tools included.
func makeDemoAdmin(ctx context.Context, a *app.App) error {
	return a.Users.EnsureRole(ctx, []int64{demoUserID}, user.RoleAdmin)
}

// sampleMember is a fictional member of the network in the demo. They have
// an open chat in the demo's fake Telegram, and what the bot sends them is
// printed as "→ to <name>: …".
type sampleMember struct {
	id         int64
	name, lang string
	org        string
	groups     []string
}

var sampleMembers = []sampleMember{
	{910001, "Aylin Demir", "de", "sample-sprachschule-anker", []string{"sample-ag-sprache"}},
	{910002, "Oksana Kovalenko", "uk", "sample-migrationsberatung", []string{"sample-ag-sprache"}},
	{910003, "Reza Ahmadi", "fa", "sample-frauencafe-mosaik", []string{"sample-ag-wohnen"}},
	{910004, "Samira Haddad", "ar", "sample-netzwerkbuero", []string{"sample-ag-wohnen", "sample-pg-iwoche"}},
	{910005, "Jonas Weber", "de", "sample-migrationsberatung", nil},
}

// loadSampleNetwork adds fictional member organisations, their members,
// three working groups, the next network meeting (a day or two ahead at
// 14:00, so that /clock +1d shows its reminders) and a weekly
// working-group session. The demo user is a member of the network office
// and of the language group. Loading again changes nothing.
func loadSampleNetwork(ctx context.Context, pool *pgxpool.Pool, logger *slog.Logger) error {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		return err
	}
	store := &postgres.MeetingStore{Pool: pool, Loc: loc}
	now := time.Now()
	base := &meeting.Import{
		Organisations: []member.Organisation{
			{ExternalID: "sample-netzwerkbuero", Name: "Netzwerkbüro Integration"},
			{ExternalID: "sample-sprachschule-anker", Name: "Sprachschule Anker e. V."},
			{ExternalID: "sample-migrationsberatung", Name: "Migrationsberatung Lindenhof"},
			{ExternalID: "sample-frauencafe-mosaik", Name: "Frauencafé Mosaik"},
		},
		Groups: []member.Group{
			{ExternalID: "sample-ag-sprache", Active: true, Name: member.Text{"de": "AG Sprache und Bildung", "en": "Working group language and education", "uk": "Робоча група «Мова та освіта»", "fa": "گروه کاری زبان و آموزش", "ar": "مجموعة عمل اللغة والتعليم"}},
			{ExternalID: "sample-ag-wohnen", Active: true, NeedsApproval: true, Name: member.Text{"de": "AG Wohnen", "en": "Working group housing", "uk": "Робоча група «Житло»", "fa": "گروه کاری مسکن", "ar": "مجموعة عمل السكن"}},
			{ExternalID: "sample-pg-iwoche", Active: true, EndsOn: now.AddDate(0, 6, 0), Name: member.Text{"de": "Projektgruppe Interkulturelle Woche", "en": "Project group intercultural week"}},
		},
	}
	if _, err := store.Import(ctx, base, now); err != nil {
		return fmt.Errorf("sample organisations and groups: %w", err)
	}
	add := func(id int64, lang any, name, org string, groups []string) error {
		if _, err := pool.Exec(ctx, `INSERT INTO users (id, language, telegram_language, role) VALUES ($1, $2, coalesce($2, ''), 'member') ON CONFLICT (id) DO NOTHING`, id, lang); err != nil {
			return err
		}
		if _, err := pool.Exec(ctx, `INSERT INTO members (user_id, organisation_id, display_name)
			SELECT $1, id, $3 FROM organisations WHERE external_id = $2 ON CONFLICT (user_id) DO NOTHING`, id, org, name); err != nil {
			return err
		}
		_, err := pool.Exec(ctx, `INSERT INTO group_members (group_id, user_id)
			SELECT id, $1 FROM working_groups WHERE external_id = ANY($2) ON CONFLICT DO NOTHING`, id, groups)
		return err
	}
	// The demo user picks their language at /start; they are an admin
	// (demo.go), here a member of the network office.
	if err := add(demoUserID, nil, "Demo", "sample-netzwerkbuero", []string{"sample-ag-sprache"}); err != nil {
		return fmt.Errorf("sample members: %w", err)
	}
	for _, m := range sampleMembers {
		if err := add(m.id, m.lang, m.name, m.org, m.groups); err != nil {
			return fmt.Errorf("sample members: %w", err)
		}
	}

	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM meetings WHERE external_id = 'sample-netzwerktreffen')`).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil // a kept demo: its meetings stay as they were
	}
	// The first 14:00 at least 26 hours ahead: its 1-day reminder comes
	// within the next day (/clock +1d), its 2-hour one the day after.
	local := now.In(loc)
	next := time.Date(local.Year(), local.Month(), local.Day(), 14, 0, 0, 0, loc)
	for next.Before(now.Add(26 * time.Hour)) {
		next = next.AddDate(0, 0, 1)
	}
	session := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day()+3, 10, 0, 0, 0, loc)
	meetings := &meeting.Import{Meetings: []meeting.ImportedMeeting{
		{Organisation: "sample-netzwerkbuero", Meeting: meeting.Meeting{
			ExternalID: "sample-netzwerktreffen",
			Title:      member.Text{"de": "Netzwerktreffen", "en": "Network meeting", "uk": "Зустріч мережі", "fa": "جلسهٔ شبکه", "ar": "اجتماع الشبكة", "tr": "Ağ toplantısı", "ru": "Встреча сети"},
			Description: member.Text{"de": "Berichte aus den Arbeitsgruppen und Planung der Interkulturellen Woche.",
				"en": "Reports from the working groups and planning of the intercultural week."},
			Start: next, Duration: 2 * time.Hour, Venue: "Rathaus, Festsaal, Fischmarkt 1",
			Agenda:      "1. Begrüßung\n2. Berichte aus den AGs\n3. Interkulturelle Woche",
			LeadMinutes: member.DefaultLeadMinutes,
		}},
		{Organisation: "sample-sprachschule-anker", Group: "sample-ag-sprache", Meeting: meeting.Meeting{
			ExternalID: "sample-ag-sprache-sitzung",
			Title:      member.Text{"de": "Sitzung AG Sprache und Bildung", "en": "Language working group session", "uk": "Засідання робочої групи «Мова та освіта»"},
			Start:      session, Duration: 90 * time.Minute, OnlineURL: "https://meet.example.org/ag-sprache",
			Recurrence:  meeting.WeeklyRule(session, loc),
			LeadMinutes: []int{1440, 60},
		}},
	}}
	if _, err := store.Import(ctx, meetings, now); err != nil {
		return fmt.Errorf("sample meetings: %w", err)
	}
	logger.Debug("sample network loaded", "next_meeting", next)
	return nil
}
