package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.APIURL != DefaultAPIURL || c.HTTPAddr != "127.0.0.1:8080" || c.TZName != "Europe/Berlin" || c.DefaultLanguage != "de" || c.WebhookURL != "" {
		t.Errorf("unexpected defaults: %+v", c)
	}
}

func TestErrorsNameTheVariableAndNeverTheToken(t *testing.T) {
	secretToken := "123456:SECRETSECRETsecret"
	cases := []struct {
		env     map[string]string
		wantVar string
	}{
		{map[string]string{}, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "nonsense token"}, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "TELEGRAM_API_URL": "ftp://x"}, "TELEGRAM_API_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "DATABASE_URL": "mysql:x"}, "DATABASE_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "HTTP_ADDR": "8080"}, "HTTP_ADDR"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "ADMIN_IDS": "12,abc"}, "ADMIN_IDS"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "TZ_NAME": "Mars/Base"}, "TZ_NAME"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "DEFAULT_LANGUAGE": "xx"}, "DEFAULT_LANGUAGE"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "TELEGRAM_SEND_RATE": "fast"}, "TELEGRAM_SEND_RATE"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "TELEGRAM_SEND_RATE": "NaN"}, "TELEGRAM_SEND_RATE"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "WEBHOOK_URL": "https://bot.example.org/hook"}, "WEBHOOK_SECRET"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "WEBHOOK_URL": "http://bot.example.org/hook", "WEBHOOK_SECRET": strings.Repeat("s", 20)}, "WEBHOOK_URL"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": secretToken, "TELEGRAM_BOT_TOKEN_FILE": "/x"}, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"TELEGRAM_BOT_TOKEN_FILE": "/does/not/exist"}, "TELEGRAM_BOT_TOKEN_FILE"},
	}
	for _, c := range cases {
		_, err := Load(env(c.env), true)
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != c.wantVar {
			t.Errorf("env %v: got %v, want an error about %s", c.env, err, c.wantVar)
			continue
		}
		if strings.Contains(err.Error(), "SECRETSECRETsecret") {
			t.Errorf("error shows the token: %v", err)
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line: %q", err)
		}
	}
}

func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "token")
	if err := os.WriteFile(p, []byte("42:abc_DEF-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"TELEGRAM_BOT_TOKEN_FILE": p, "ADMIN_IDS": "1, 2;3"}), true)
	if err != nil {
		t.Fatal(err)
	}
	if c.Token != "42:abc_DEF-1" || len(c.AdminIDs) != 3 {
		t.Errorf("got %+v", c)
	}
	c, err = Load(env(map[string]string{"TELEGRAM_BOT_TOKEN": "1:a", "WEBHOOK_URL": "https://x.example.org/tg/hook", "WEBHOOK_SECRET": "abcdefghijklmnop"}), true)
	if err != nil || c.WebhookPath() != "/tg/hook" {
		t.Errorf("webhook: %v %v", err, c)
	}
}
