// Package config reads netzbot's settings from the environment. Every
// secret may also be given as NAME_FILE (a path whose content is the
// value), as container secrets are. A wrong value is reported as one line
// naming the variable and what is expected.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/netzbot/netzbot/internal/locale"
)

// DefaultAPIURL is the official Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Config is the validated configuration.
type Config struct {
	Token           string // TELEGRAM_BOT_TOKEN
	APIURL          string // TELEGRAM_API_URL
	DatabaseURL     string // DATABASE_URL; "" = start a local PostgreSQL
	HTTPAddr        string // HTTP_ADDR, health and metrics (and the webhook)
	LogLevel        slog.Level
	AdminIDs        []int64 // ADMIN_IDS
	DataDir         string  // DATA_DIR; "" = the default for the mode
	Location        *time.Location
	TZName          string
	DefaultLanguage string
	WebhookURL      string // WEBHOOK_URL; "" = long polling
	WebhookSecret   string // WEBHOOK_SECRET
	// SendRate is TELEGRAM_SEND_RATE, the messages per second the sender
	// keeps under overall; 0 means telegram.DefaultLimits (25/s).
	SendRate float64

	// Retention (see internal/privacy): how long data is kept; 0 keeps it.
	BookingRetention      time.Duration // BOOKING_RETENTION_DAYS: bookings are anonymised this long after the appointment
	SearchLogRetention    time.Duration // SEARCH_LOG_RETENTION_DAYS: search logs are deleted after this
	NotificationRetention time.Duration // NOTIFICATION_RETENTION_DAYS: sent notifications are deleted after this
	PrivacyContact        string        // PRIVACY_CONTACT: whom /privacy names for data protection questions

	// Booking are the BOOKING_* rules of consultation booking (booking.go).
	Booking Booking

	// Translate is the optional machine translation of offers, TRANSLATE_*
	// (translate.go); off unless TRANSLATE_PROVIDER is set.
	Translate Translate
}

// Retention defaults, in days.
const (
	DefaultBookingRetentionDays      = 90
	DefaultSearchLogRetentionDays    = 30
	DefaultNotificationRetentionDays = 90
)

// Error is a configuration problem with one variable.
type Error struct {
	Var     string
	Problem string
}

func (e *Error) Error() string { return e.Var + ": " + e.Problem }

// Getenv is how config reads the environment (os.Getenv in production).
type Getenv func(string) string

var tokenRe = regexp.MustCompile(`^[0-9]{1,20}:[A-Za-z0-9_-]{1,200}$`)

// Load reads and checks the environment. requireToken is set for serve,
// where there is no bot without a token.
func Load(getenv Getenv, requireToken bool) (*Config, error) {
	c := &Config{}
	var err error
	if c.Token, err = secret(getenv, "TELEGRAM_BOT_TOKEN"); err != nil {
		return nil, err
	}
	switch {
	case c.Token == "" && requireToken:
		return nil, &Error{"TELEGRAM_BOT_TOKEN", "not set: expected the bot token from @BotFather (like 123456:ABC-DEF...), or run 'netzbot demo' to try the bot without one"}
	case c.Token != "" && !tokenRe.MatchString(c.Token):
		return nil, &Error{"TELEGRAM_BOT_TOKEN", "malformed: expected digits, a colon and letters/digits/_/- (like 123456:ABC-DEF...)"}
	}
	c.APIURL = strings.TrimRight(or(getenv("TELEGRAM_API_URL"), DefaultAPIURL), "/")
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, &Error{"TELEGRAM_API_URL", "expected an http(s) URL of a Bot API server, like " + DefaultAPIURL}
	}
	if c.DatabaseURL, err = secret(getenv, "DATABASE_URL"); err != nil {
		return nil, err
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.Contains(c.DatabaseURL, "=") {
		return nil, &Error{"DATABASE_URL", "expected a PostgreSQL URL like postgres://user:password@host:5432/netzbot, or unset it to start a local PostgreSQL"}
	}
	c.HTTPAddr = or(getenv("HTTP_ADDR"), "127.0.0.1:8080")
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return nil, &Error{"HTTP_ADDR", "expected host:port like 127.0.0.1:8080"}
	}
	if err := c.LogLevel.UnmarshalText([]byte(or(getenv("LOG_LEVEL"), "info"))); err != nil {
		return nil, &Error{"LOG_LEVEL", "expected debug, info, warn or error"}
	}
	for _, f := range strings.FieldsFunc(getenv("ADMIN_IDS"), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, &Error{"ADMIN_IDS", fmt.Sprintf("%q is not a Telegram user id: expected positive numbers separated by commas", f)}
		}
		c.AdminIDs = append(c.AdminIDs, id)
	}
	c.DataDir = getenv("DATA_DIR")
	c.TZName = or(getenv("TZ_NAME"), "Europe/Berlin")
	if c.Location, err = time.LoadLocation(c.TZName); err != nil {
		return nil, &Error{"TZ_NAME", fmt.Sprintf("unknown time zone %q: expected an IANA name like Europe/Berlin", c.TZName)}
	}
	c.DefaultLanguage = or(getenv("DEFAULT_LANGUAGE"), locale.Reference)
	if !locale.IsSupported(c.DefaultLanguage) {
		return nil, &Error{"DEFAULT_LANGUAGE", fmt.Sprintf("%q is not shipped: expected one of %s", c.DefaultLanguage, strings.Join(locale.Supported, ", "))}
	}
	if v := getenv("TELEGRAM_SEND_RATE"); strings.TrimSpace(v) != "" {
		if c.SendRate, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil || !(c.SendRate > 0 && c.SendRate <= 100000) {
			return nil, &Error{"TELEGRAM_SEND_RATE", "expected messages per second above 0, like 25 (Telegram allows 30 without paid broadcasts)"}
		}
	}
	c.WebhookURL = getenv("WEBHOOK_URL")
	if c.WebhookSecret, err = secret(getenv, "WEBHOOK_SECRET"); err != nil {
		return nil, err
	}
	if c.WebhookURL != "" {
		if u, err := url.Parse(c.WebhookURL); err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, &Error{"WEBHOOK_URL", "expected the public https URL Telegram should post updates to, like https://bot.example.org/telegram"}
		}
		if len(c.WebhookSecret) < 16 || !regexp.MustCompile(`^[A-Za-z0-9_-]{16,256}$`).MatchString(c.WebhookSecret) {
			return nil, &Error{"WEBHOOK_SECRET", "required with WEBHOOK_URL: 16-256 characters of A-Z, a-z, 0-9, _ and -"}
		}
	}
	for _, r := range []struct {
		name string
		def  int
		dst  *time.Duration
	}{
		{"BOOKING_RETENTION_DAYS", DefaultBookingRetentionDays, &c.BookingRetention},
		{"SEARCH_LOG_RETENTION_DAYS", DefaultSearchLogRetentionDays, &c.SearchLogRetention},
		{"NOTIFICATION_RETENTION_DAYS", DefaultNotificationRetentionDays, &c.NotificationRetention},
	} {
		days, err := strconv.Atoi(or(getenv(r.name), strconv.Itoa(r.def)))
		if err != nil || days < 0 || days > 3650 {
			return nil, &Error{r.name, "expected a number of days from 0 (keep) to 3650"}
		}
		*r.dst = time.Duration(days) * 24 * time.Hour
	}
	c.PrivacyContact = strings.TrimSpace(getenv("PRIVACY_CONTACT"))
	if len(c.PrivacyContact) > 200 {
		return nil, &Error{"PRIVACY_CONTACT", "too long: expected an e-mail address, phone number or office of at most 200 characters"}
	}
	if c.Booking, err = loadBooking(getenv); err != nil {
		return nil, err
	}
	if c.Translate, err = loadTranslate(getenv); err != nil {
		return nil, err
	}
	return c, nil
}

// RetentionDays is d in whole days, for texts.
func RetentionDays(d time.Duration) int { return int(d / (24 * time.Hour)) }

// WebhookPath is the path the webhook handler is served on.
func (c *Config) WebhookPath() string {
	u, err := url.Parse(c.WebhookURL)
	if err != nil || u.Path == "" {
		return "/"
	}
	return u.Path
}

// secret reads NAME, or the file named by NAME_FILE.
func secret(getenv Getenv, name string) (string, error) {
	v := getenv(name)
	file := getenv(name + "_FILE")
	switch {
	case v != "" && file != "":
		return "", &Error{name, "set both " + name + " and " + name + "_FILE: expected only one"}
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return "", &Error{name + "_FILE", fmt.Sprintf("cannot read %s: expected a readable file holding the value", file)}
		}
		return strings.TrimSpace(string(data)), nil
	}
	return strings.TrimSpace(v), nil
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return strings.TrimSpace(v)
}
