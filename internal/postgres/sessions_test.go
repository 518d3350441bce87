package postgres_test

import (
	"testing"

	"github.com/netzbot/netzbot/internal/conversation"
	"github.com/netzbot/netzbot/internal/offer"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// A session is the user (created on first contact, refreshed, active
// again), their flow state and their filters, as the separate stores keep
// them.
func TestSessionOpensUserStateAndFilters(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := pgtest.New(t)
	users := &postgres.UserStore{Pool: db.Pool}
	convs := &postgres.ConversationStore{Pool: db.Pool}
	offers := &postgres.OfferStore{Pool: db.Pool}
	sessions := &postgres.SessionStore{Pool: db.Pool}

	ss, err := sessions.Open(ctx, 7001, "uk")
	if err != nil {
		t.Fatal(err)
	}
	if ss.User.ID != 7001 || ss.User.TelegramLanguage != "uk" || !ss.User.Active || !ss.State.Idle() || ss.Filters != (offer.Filters{}) {
		t.Fatalf("first contact: %+v %+v %+v", ss.User, ss.State, ss.Filters)
	}
	if u, err := users.Get(ctx, 7001); err != nil || u.TelegramLanguage != "uk" {
		t.Fatalf("user not stored: %+v %v", u, err)
	}

	st := conversation.State{Flow: "booking", Step: "topic", Data: map[string]string{"slot": "12"}}
	if err := convs.Set(ctx, 7001, st); err != nil {
		t.Fatal(err)
	}
	f := offer.Filters{MyLanguage: true, FreeOnly: true, TargetGroup: "women", District: "Altstadt"}
	if err := offers.SaveFilters(ctx, 7001, f); err != nil {
		t.Fatal(err)
	}
	if err := users.SetLanguage(ctx, 7001, "ar"); err != nil {
		t.Fatal(err)
	}
	if err := users.SetActive(ctx, 7001, false); err != nil {
		t.Fatal(err)
	}
	// Blocked meanwhile and now with another Telegram language: touched.
	ss, err = sessions.Open(ctx, 7001, "ru")
	if err != nil {
		t.Fatal(err)
	}
	if !ss.User.Active || ss.User.TelegramLanguage != "ru" || ss.User.Language != "ar" {
		t.Errorf("user %+v: want active, telegram ru, chosen ar", ss.User)
	}
	if ss.State.Flow != "booking" || ss.State.Step != "topic" || ss.State.Data["slot"] != "12" {
		t.Errorf("state %+v, want %+v", ss.State, st)
	}
	if ss.Filters != f {
		t.Errorf("filters %+v, want %+v", ss.Filters, f)
	}
	want, err := offers.Filters(ctx, 7001)
	if err != nil || want != ss.Filters {
		t.Errorf("session filters %+v differ from the offer store's %+v (%v)", ss.Filters, want, err)
	}
}
