package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/netzbot/netzbot/internal/demo"
	"github.com/netzbot/netzbot/internal/locale"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
	"github.com/netzbot/netzbot/internal/telegram/telegramtest"
	"github.com/netzbot/netzbot/locales"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func runCmd(t *testing.T, ctx context.Context, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut syncBuffer
	code := run(ctx, args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func catalog(t *testing.T) *locale.Catalog {
	c, err := locale.Load(locales.FS)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// clearEnv makes the test independent of the developer's environment.
func clearEnv(t *testing.T) {
	for _, v := range []string{"TELEGRAM_BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_URL", "HTTP_ADDR", "LOG_LEVEL", "ADMIN_IDS", "DATA_DIR", "TZ_NAME", "DEFAULT_LANGUAGE", "WEBHOOK_URL", "WEBHOOK_SECRET", "LANG", "LC_ALL",
		"TRANSLATE_PROVIDER", "TRANSLATE_URL", "TRANSLATE_API_KEY", "TRANSLATE_API_KEY_FILE"} {
		t.Setenv(v, "")
	}
}

func TestPipedDemoPrintsALocalizedConversation(t *testing.T) {
	clearEnv(t)
	t.Setenv("DATABASE_URL", pgtest.New(t).DSN)
	code, out, errOut := runCmd(t, context.Background(), "/start\n2\n/help\n", "demo")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	en := catalog(t).Localizer("en")
	for _, want := range []string{
		"> /start", "[1] ✅ English", "[2] Deutsch", "[3] العربية", // picker with numbered buttons
		"> 2", "Alles klar, ich schreibe dir ab jetzt auf Deutsch.", // pressing button 2
		"> /help", "So funktioniert der Bot", "/cancel – den aktuellen Vorgang abbrechen",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, strings.Split(en.T("start_greeting", "Name", "Demo"), "\n")[0]) {
		t.Errorf("greeting not in the demo user's language (en):\n%s", out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("ANSI colours in piped output")
	}
}

func TestDemoStartsItsOwnPostgreSQL(t *testing.T) {
	if pgtest.Cluster() == nil {
		t.Skip("PostgreSQL comes from DATABASE_URL here")
	}
	clearEnv(t)
	code, out, errOut := runCmd(t, context.Background(), "/lang uk\n/help\n", "demo")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, demo.PlainText(catalog(t).Localizer("uk").T("help_text"))) {
		t.Errorf("no Ukrainian help:\n%s", out)
	}
}

func TestConfigurationErrorsExitWith2OnOneLine(t *testing.T) {
	clearEnv(t)
	cases := map[string][]string{
		"TELEGRAM_BOT_TOKEN": {"serve"},
		"DEFAULT_LANGUAGE":   {"demo"},
	}
	t.Setenv("DEFAULT_LANGUAGE", "")
	for want, args := range cases {
		if want == "DEFAULT_LANGUAGE" {
			t.Setenv("DEFAULT_LANGUAGE", "xx")
		}
		code, _, errOut := runCmd(t, context.Background(), "", args...)
		if code != 2 || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line naming %s", args, code, errOut, want)
		}
	}
	t.Setenv("DEFAULT_LANGUAGE", "")
	t.Setenv("TELEGRAM_BOT_TOKEN", "123456:this-is-secret")
	t.Setenv("TELEGRAM_API_URL", "http://127.0.0.1:1") // nothing listens there
	t.Setenv("DATABASE_URL", pgtest.New(t).DSN)
	code, out, errOut := runCmd(t, context.Background(), "", "serve")
	if code == 0 || strings.Contains(out+errOut, "this-is-secret") {
		t.Errorf("unreachable API: exit %d; the token must never be printed:\n%s%s", code, out, errOut)
	}
	if code, _, _ := runCmd(t, context.Background(), "", "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d", code)
	}
	if code, out, _ := runCmd(t, context.Background(), "", "help"); code != 0 || !strings.Contains(out, "demo") || !strings.Contains(out, "serve") || !strings.Contains(out, "migrate") {
		t.Errorf("help: %d %q", code, out)
	}
}

func TestServeWorksAgainstAnyBotAPIServer(t *testing.T) {
	clearEnv(t)
	fake := telegramtest.Start(t, telegramtest.Options{BotUsername: "erfurt_netz_bot", Token: "123:abc"})
	t.Setenv("TELEGRAM_API_URL", fake.URL)
	t.Setenv("TELEGRAM_BOT_TOKEN", "123:abc")
	t.Setenv("DATABASE_URL", pgtest.New(t).DSN)
	t.Setenv("HTTP_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"serve"}, strings.NewReader(""), &out, &errOut) }()

	u := telegramtest.User{ID: 777, FirstName: "Olena", LanguageCode: "uk"}
	wctx, wcancel := context.WithTimeout(ctx, 30*time.Second)
	defer wcancel()
	calls, err := fake.Exchange(wctx, u, "/start@erfurt_netz_bot")
	if err != nil {
		t.Fatal(err)
	}
	var got string
	for _, c := range calls {
		if c.Method == "sendMessage" {
			got = c.Text
		}
	}
	if want := catalog(t).Localizer("uk").T("start_greeting", "Name", "Olena"); got != want {
		t.Errorf("serve answered %q, want %q", got, want)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve exited %d after SIGTERM-like cancel:\n%s", code, errOut.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs := errOut.String()
	if strings.Contains(logs, "123:abc") || strings.Contains(logs, "Olena") || strings.Contains(logs, "/start") {
		t.Errorf("logs contain the token, a name or message text:\n%s", logs)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Errorf("serve log line is not JSON: %q", line)
		}
	}
}
