package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/app/apptest"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
)

// The demo's directory (the sample offers) answers the kinds of query the
// search issue names, each sensibly: a need in Levantine Arabic, one in
// Arabizi, Turkish typed without its letters, and a question no offer
// covers, which gets an honest "nothing fits" in the reader's language.
func TestDemoSearchAnswersNeedsSensibly(t *testing.T) {
	h := startOffers(t)
	for i, c := range []struct {
		lang, text string
		want       []string // one of these offers among the first three
	}{
		{"ar", "بدي حدا يساعدني بشغلة الديون، صارت كتير", []string{"bs-schuldnerberatung"}},
		{"ar", "bidi ma7ami la2anno rafadoli el lujo2", []string{"bl-asylverfahren", "rlc-sprechstunde"}},
		{"tr", "cocugum icin kres yeri ariyorum", []string{"sonnenblume-kita"}},
		{"tr", "dis doktoru lazim, sigortam yok", []string{"gn-zahn"}},
	} {
		u := h.User(int64(71900+i), c.lang)
		h.Say(t, u, "/language "+c.lang)
		msg := apptest.Last(t, h.Say(t, u, c.text))
		found := false
		for _, ext := range c.want {
			var id int64
			if err := h.DB.Pool.QueryRow(context.Background(), `SELECT id FROM offers WHERE external_id = $1`, ext).Scan(&id); err != nil {
				t.Fatal(ext, err)
			}
			for _, data := range firstOffers(msg, 3) {
				found = found || strings.HasPrefix(data, fmt.Sprintf("of:o:%d:", id))
			}
		}
		if !found {
			t.Errorf("%s %q: want one of %v among the first three:\n%s", c.lang, c.text, c.want, msg.Text)
		}
	}
	u := h.User(71990, "uk")
	h.Say(t, u, "/language uk")
	msg := apptest.Last(t, h.Say(t, u, "де купити вживаний ноутбук дешево"))
	if !strings.Contains(msg.Text, "У довіднику немає нічого, що підходить") || !buttonWithText(msg, h.L("uk").T("offers_tell_button")) {
		t.Errorf("nothing covers a used laptop: %q", msg.Text)
	}
}

// firstOffers is the data of the first n offer buttons of a result list.
func firstOffers(msg telegramtest.Call, n int) []string {
	var out []string
	for _, row := range msg.Keyboard {
		for _, b := range row {
			if strings.HasPrefix(b.CallbackData, "of:o:") && len(out) < n {
				out = append(out, b.CallbackData)
			}
		}
	}
	return out
}
