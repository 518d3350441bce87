// Command netzbot is the Telegram bot of a city's integration network.
//
//	netzbot demo      chat with the bot in the terminal (no token needed)
//	netzbot serve     run the bot against Telegram
//	netzbot migrate   apply database migrations and exit
//	netzbot users     grant and revoke roles (users grant|revoke USER_ID ROLE)
//	netzbot bench     measure netzbot against its baselines
//	netzbot version   print the version
//
// Without DATABASE_URL, demo and serve start a local PostgreSQL from the
// system's binaries. See README.md for the configuration.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/netzbot/netzbot/internal/config"
	"github.com/netzbot/netzbot/internal/pgcluster"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = ""

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"demo", "chat with the bot in this terminal, on a throwaway database and a local fake Telegram", runDemo},
		{"serve", "run the bot against Telegram (needs TELEGRAM_BOT_TOKEN)", runServe},
		{"migrate", "apply the database migrations and exit", runMigrate},
		{"users", "list users with a role, grant or revoke one: users grant|revoke USER_ID ROLE", runUsers},
		{"bench", "measure netzbot against its baselines (own PostgreSQL and fake Telegram; see README)", runBench},
		{"import", "import offers from YAML or CSV: import offers [--dry-run] [--prune] FILE; consultation services, counsellors and hours: import booking FILE; meetings and working groups: import meetings FILE; the office's additions to the search lexicon: import lexicon FILE", runImport},
		{"lexicon", "add a synonym to the search lexicon: lexicon add [--offer] CONCEPT LANG TERM…", runLexicon},
		{"invite", "invite link for a member organisation: invite create --org ORG --role member|coordinator [--groups G1,G2] [--uses N] [--days N]", runInvite},
		{"meetings", "the network's upcoming meetings with their answers: meetings list [--days N]", runMeetings},
		{"attendees", "answers to a meeting as CSV: attendees export --meeting ID [-o FILE]", runAttendees},
		{"counsellor", "link a counsellor's Telegram account: counsellor invite COUNSELLOR_ID prints a one-time link", runCounsellor},
		{"export", "write all offers in the import format: export offers [--format yaml|csv] [-o FILE]", runExport},
		{"report", "searches that found nothing, what people asked the office for, with the concept they probably meant, and result feedback: report searches [--days N]", runReport},
		{"version", "print the version", runVersion},
		{"help", "list the commands", nil},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one subcommand and returns the process exit code: 2 for a
// usage or configuration error, 1 for any other failure.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] || c.run == nil {
			continue
		}
		err := c.run(ctx, args[1:], stdin, stdout, stderr)
		var cfgErr *config.Error
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.As(err, &cfgErr), errors.Is(err, pgcluster.ErrNoBinaries), errors.Is(err, errUsage):
			fmt.Fprintf(stderr, "netzbot: %v\n", err)
			return 2
		default:
			fmt.Fprintf(stderr, "netzbot %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "netzbot: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

var errUsage = errors.New("usage")

func usage(w io.Writer) {
	fmt.Fprintln(w, "netzbot: the Telegram bot of the city's integration network")
	fmt.Fprintln(w, "\nUsage: netzbot <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nConfiguration is read from the environment; see README.md.")
}

func runVersion(_ context.Context, _ []string, _ io.Reader, stdout, _ io.Writer) error {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok && v == "" {
		v = info.Main.Version
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	fmt.Fprintln(stdout, "netzbot", v)
	return nil
}

// newLogger logs JSON for serve and text for the terminal demo.
func newLogger(w io.Writer, level slog.Level, json bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
