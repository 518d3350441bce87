package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTranslateIsOffByDefault(t *testing.T) {
	c, err := Load(env(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Translate.Enabled() || c.Translate != (Translate{}) {
		t.Errorf("machine translation on by default: %+v", c.Translate)
	}
}

func TestTranslateSettings(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	if err := os.WriteFile(keyFile, []byte("lt-key-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		env  map[string]string
		want Translate
	}{
		{map[string]string{"TRANSLATE_PROVIDER": "libretranslate"},
			Translate{Provider: ProviderLibreTranslate, URL: DefaultLibreTranslateURL}},
		{map[string]string{"TRANSLATE_PROVIDER": " LibreTranslate ", "TRANSLATE_URL": "http://lt:5000/", "TRANSLATE_API_KEY_FILE": keyFile},
			Translate{Provider: ProviderLibreTranslate, URL: "http://lt:5000", APIKey: "lt-key-123"}},
		{map[string]string{"TRANSLATE_PROVIDER": "deepl", "TRANSLATE_API_KEY": "0c7e-free:fx"},
			Translate{Provider: ProviderDeepL, URL: DefaultDeepLURL, APIKey: "0c7e-free:fx"}},
		{map[string]string{"TRANSLATE_PROVIDER": "deepl", "TRANSLATE_API_KEY": "0c7e-pro"},
			Translate{Provider: ProviderDeepL, URL: DeepLProURL, APIKey: "0c7e-pro"}},
		{map[string]string{"TRANSLATE_PROVIDER": "deepl", "TRANSLATE_API_KEY": "k:fx", "TRANSLATE_URL": "http://127.0.0.1:9999"},
			Translate{Provider: ProviderDeepL, URL: "http://127.0.0.1:9999", APIKey: "k:fx"}},
	}
	for _, c := range cases {
		got, err := Load(env(c.env), false)
		if err != nil {
			t.Errorf("%v: %v", c.env, err)
			continue
		}
		if got.Translate != c.want || !got.Translate.Enabled() {
			t.Errorf("%v: got %+v, want %+v", c.env, got.Translate, c.want)
		}
	}
}

func TestTranslateErrorsNameWhatToFixAndNeverTheKey(t *testing.T) {
	const key = "SECRETKEYsecret"
	cases := []struct {
		env     map[string]string
		wantVar string
		hint    string
	}{
		{map[string]string{"TRANSLATE_PROVIDER": "google"}, "TRANSLATE_PROVIDER", "libretranslate or deepl"},
		{map[string]string{"TRANSLATE_URL": "http://lt:5000"}, "TRANSLATE_PROVIDER", "libretranslate or deepl"},
		{map[string]string{"TRANSLATE_API_KEY": key}, "TRANSLATE_PROVIDER", "unset"},
		{map[string]string{"TRANSLATE_PROVIDER": "deepl"}, "TRANSLATE_API_KEY", "DeepL"},
		{map[string]string{"TRANSLATE_PROVIDER": "libretranslate", "TRANSLATE_URL": "lt:5000"}, "TRANSLATE_URL", "http://127.0.0.1:5000"},
		{map[string]string{"TRANSLATE_PROVIDER": "libretranslate", "TRANSLATE_URL": "ftp://lt"}, "TRANSLATE_URL", "http"},
		{map[string]string{"TRANSLATE_PROVIDER": "deepl", "TRANSLATE_API_KEY": key, "TRANSLATE_URL": "https://api.deepl.com?x=1"}, "TRANSLATE_URL", "base URL"},
		{map[string]string{"TRANSLATE_PROVIDER": "deepl", "TRANSLATE_API_KEY": key + ":fx", "TRANSLATE_URL": "https://api.deepl.com"}, "TRANSLATE_URL", "https://api-free.deepl.com"},
		{map[string]string{"TRANSLATE_PROVIDER": "deepl", "TRANSLATE_API_KEY": key, "TRANSLATE_URL": "https://api-free.deepl.com"}, "TRANSLATE_URL", "https://api.deepl.com"},
		{map[string]string{"TRANSLATE_PROVIDER": "deepl", "TRANSLATE_API_KEY_FILE": "/does/not/exist"}, "TRANSLATE_API_KEY_FILE", "readable file"},
		{map[string]string{"TRANSLATE_PROVIDER": "deepl", "TRANSLATE_API_KEY": key, "TRANSLATE_API_KEY_FILE": "/x"}, "TRANSLATE_API_KEY", "only one"},
		{map[string]string{"TRANSLATE_PROVIDER": "libretranslate", "TRANSLATE_API_KEY": "SECRET KEYsecret"}, "TRANSLATE_API_KEY", "key alone"},
	}
	for _, c := range cases {
		_, err := Load(env(c.env), false)
		var ce *Error
		if !errors.As(err, &ce) || ce.Var != c.wantVar {
			t.Errorf("env %v: got %v, want an error about %s", c.env, err, c.wantVar)
			continue
		}
		if !strings.Contains(err.Error(), c.hint) {
			t.Errorf("env %v: %q does not say %q", c.env, err, c.hint)
		}
		if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "\n") {
			t.Errorf("env %v: error shows the key or is not one line: %q", c.env, err)
		}
	}
}
