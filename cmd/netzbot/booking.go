package main

// Consultation booking on the command line: importing services,
// counsellors and their hours (import booking FILE), inviting a counsellor
// to link their Telegram account (counsellor invite ID), and the demo's
// sample data.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	tg "github.com/go-telegram/bot"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/importlimit"
	"github.com/netzbot/netzbot/internal/postgres"
	"github.com/netzbot/netzbot/internal/telegram"
)

const importBookingUsage = `usage: netzbot import booking [--dry-run] FILE

FILE is YAML: services, counsellors with their services, languages,
weekly hours and exceptions, and holidays (example and format:
internal/booking/testdata/booking.yaml). Everything is matched by its id:
importing a file again changes nothing; a counsellor's weekly hours and
imported exceptions are replaced by the file's, time blocked in the chat
is kept. Every entry is checked first; on any problem nothing is changed.
  --dry-run  check and count, change nothing`

// runImportBooking is "import booking FILE" (runImport dispatches here).
func runImportBooking(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import booking", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, importBookingUsage) }
	dry := fs.Bool("dry-run", false, "check and count, change nothing")
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, importBookingUsage)
		return fmt.Errorf("%w: import booking: want one FILE", errUsage)
	}
	name := fs.Arg(0)
	data, err := importlimit.ReadFile(name)
	if err != nil {
		return err
	}
	cat, err := booking.ParseCatalog(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	rows := len(cat.Organisations) + len(cat.Services) + len(cat.Holidays)
	for _, c := range cat.Counsellors {
		rows += 1 + len(c.Rules) + len(c.Exceptions)
	}
	if err := importlimit.CheckRows(name, rows); err != nil {
		return err
	}
	if *dry {
		fmt.Fprintf(stdout, "%s is fine: %d services, %d counsellors, %d holidays (nothing changed)\n", name, len(cat.Services), len(cat.Counsellors), len(cat.Holidays))
		return nil
	}
	_, db, err := openCLIDatabase(ctx, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := (&postgres.BookingStore{Pool: db.Pool}).Import(ctx, cat)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	fmt.Fprintf(stdout, "imported %s: %d services, %d counsellors, %d weekly hours, %d exceptions and holidays\n",
		name, st.Services, st.Counsellors, st.Rules, st.Exceptions)
	return nil
}

const counsellorUsage = `usage: netzbot counsellor invite [--bot USERNAME] [--valid 168h] COUNSELLOR_ID

Prints a link that links the Telegram account of whoever opens it to the
counsellor with that id (from the booking import) and gives it the
counsellor role: /agenda, notices of new bookings. The link works once;
only a hash of it is stored. Send it to the counsellor only.
  --bot    the bot's username for the link (default: asked from Telegram with TELEGRAM_BOT_TOKEN)
  --valid  how long the link works (default 168h, one week)`

// inviteTokenBytes is the randomness of an invite: 192 bits.
const inviteTokenBytes = 24

// runCounsellor is "counsellor invite ID".
func runCounsellor(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "invite" {
		fmt.Fprintln(stderr, counsellorUsage)
		return fmt.Errorf("%w: counsellor: want \"counsellor invite COUNSELLOR_ID\"", errUsage)
	}
	fs := flag.NewFlagSet("counsellor invite", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, counsellorUsage) }
	botName := fs.String("bot", "", "the bot's username")
	valid := fs.Duration("valid", 7*24*time.Hour, "how long the link works")
	if err := fs.Parse(reorderFlags(args[1:])); err != nil {
		return err
	}
	if fs.NArg() != 1 || *valid <= 0 {
		fmt.Fprintln(stderr, counsellorUsage)
		return fmt.Errorf("%w: counsellor invite: want one COUNSELLOR_ID and a positive --valid", errUsage)
	}
	cfg, err := config.Load(os.Getenv, false)
	if err != nil {
		return err
	}
	username := strings.TrimPrefix(*botName, "@")
	if username == "" && cfg.Token != "" {
		if username, err = botUsername(ctx, cfg); err != nil {
			return err
		}
	}
	db, err := openDatabase(ctx, cfg, persistent, cfg.DataDir, newLogger(stderr, cfg.LogLevel, false))
	if err != nil {
		return err
	}
	defer db.Close()
	raw := make([]byte, inviteTokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	expires := time.Now().Add(*valid)
	c, err := (&postgres.BookingStore{Pool: db.Pool}).CreateInvite(ctx, fs.Arg(0), sum[:], expires)
	if errors.Is(err, booking.ErrNotFound) {
		return fmt.Errorf("%w: no counsellor with id %q (import them first: netzbot import booking FILE)", errUsage, fs.Arg(0))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Invite for %s (%s), works once until %s:\n", c.Name, c.ExternalID, expires.In(cfg.Location).Format("2006-01-02 15:04 MST"))
	if username != "" {
		fmt.Fprintf(stdout, "  https://t.me/%s?start=c_%s\n", username, token)
	} else {
		fmt.Fprintf(stdout, "  https://t.me/<your bot>?start=c_%s\n  (or send the bot: /start c_%s; give --bot USERNAME for a complete link)\n", token, token)
	}
	return nil
}

// botUsername asks the Bot API for the bot's username.
func botUsername(ctx context.Context, cfg *config.Config) (string, error) {
	b, err := tg.New(cfg.Token, tg.WithServerURL(cfg.APIURL), tg.WithSkipGetMe(),
		tg.WithHTTPClient(30*time.Second, &http.Client{Timeout: 30 * time.Second}))
	if err != nil {
		return "", err
	}
	c, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	me, err := b.GetMe(c)
	if err != nil {
		return "", fmt.Errorf("ask Telegram for the bot's name (or give --bot USERNAME): %w", telegram.RedactToken(err, cfg.Token))
	}
	return me.Username, nil
}

// loadSampleBooking imports the sample services and counsellors
// (internal/booking/testdata/booking.yaml) for the demo; importing again
// changes nothing.
func loadSampleBooking(ctx context.Context, pool *pgxpool.Pool, _ *slog.Logger) error {
	cat, err := booking.ParseCatalog(bytes.NewReader(booking.SampleYAML))
	if err != nil {
		return err
	}
	_, err = (&postgres.BookingStore{Pool: pool}).Import(ctx, cat)
	return err
}
