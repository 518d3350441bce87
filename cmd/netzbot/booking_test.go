package main

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/booking"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

func TestImportBookingIsIdempotentAndInviteLinksOnce(t *testing.T) {
	clearEnv(t)
	db := pgtest.New(t)
	t.Setenv("DATABASE_URL", db.DSN)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "booking.yaml")
	if err := os.WriteFile(file, booking.SampleYAML, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCmd(t, ctx, "", "import", "booking", "--dry-run", file); code != 0 || !strings.Contains(out, "4 services, 4 counsellors") {
		t.Fatalf("dry run: exit %d %q %q", code, out, errOut)
	}
	var n int
	if _ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM booking_services`).Scan(&n); n != 0 {
		t.Fatalf("dry run wrote %d services", n)
	}
	for i := 0; i < 2; i++ {
		code, out, errOut := runCmd(t, ctx, "", "import", "booking", file)
		if code != 0 || !strings.Contains(out, "4 services, 4 counsellors") {
			t.Fatalf("import %d: exit %d %q %q", i, code, out, errOut)
		}
	}
	if _ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM availability_rules`).Scan(&n); n != 19 {
		t.Errorf("%d weekly hours after importing twice, want 19", n)
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	_ = os.WriteFile(bad, []byte("services:\n  - {id: x, duration: 1m, languages: [de], name: {de: X}}\n"), 0o600)
	if code, _, errOut := runCmd(t, ctx, "", "import", "booking", bad); code == 0 || !strings.Contains(errOut, "services[0] (x): duration") {
		t.Errorf("bad file: exit %d %q", code, errOut)
	}

	code, out, errOut := runCmd(t, ctx, "", "counsellor", "invite", "--bot", "netzbot_erfurt_bot", "amira-haddad")
	if code != 0 {
		t.Fatalf("invite: exit %d %q", code, errOut)
	}
	m := regexp.MustCompile(`https://t\.me/netzbot_erfurt_bot\?start=c_([A-Za-z0-9_-]+)`).FindStringSubmatch(out)
	if m == nil || len(m[1]) < 32 || !strings.Contains(out, "Amira Haddad") {
		t.Fatalf("invite output: %q", out)
	}
	sum := sha256.Sum256([]byte(m[1]))
	var stored, plain int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM counsellor_invites WHERE token_hash = $1`, sum[:]).Scan(&stored)
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM counsellor_invites WHERE token_hash = $1`, []byte(m[1])).Scan(&plain)
	if stored != 1 || plain != 0 {
		t.Errorf("invite stored %d times by hash, %d in plain", stored, plain)
	}
	if code, _, _ := runCmd(t, ctx, "", "counsellor", "invite", "nobody"); code != 2 {
		t.Errorf("unknown counsellor: exit %d, want 2", code)
	}
}

// The piped demo books an appointment start to finish (README).
func TestPipedDemoBooksAnAppointment(t *testing.T) {
	clearEnv(t)
	t.Setenv("DATABASE_URL", pgtest.New(t).DSN)
	code, out, errOut := runCmd(t, context.Background(), "/book\n1\n1\n1\n1\n1\n/mybookings\n", "demo", "--lang", "de")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"Dein Termin ist gebucht.", "📍 Beratungszentrum am Anger", ".ics (", "> /mybookings\nDeine nächsten Termine", "🔄 Verschieben"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
