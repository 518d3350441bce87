package main

import (
	"context"
	"encoding/csv"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/member"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

// import meetings is idempotent by external id; invite create prints a
// link stored only as a hash; meetings list and attendees export show
// what is there.
func TestMeetingsImportInviteListAndExport(t *testing.T) {
	clearEnv(t)
	db := pgtest.New(t)
	t.Setenv("DATABASE_URL", db.DSN)
	ctx := context.Background()
	file := "../../testdata/meetings.yaml"
	count := func(sql string) int {
		var n int
		if err := db.Pool.QueryRow(ctx, sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if code, out, errOut := runCmd(t, ctx, "", "import", "meetings", "--dry-run", file); code != 0 || !strings.Contains(out, "3 working groups, 2 meetings") {
		t.Fatalf("dry run: exit %d %q %q", code, out, errOut)
	}
	if count(`SELECT count(*) FROM meetings`) != 0 {
		t.Fatal("the dry run wrote")
	}
	code, out, errOut := runCmd(t, ctx, "", "import", "meetings", file)
	if code != 0 || !strings.Contains(out, "meetings 2 created") {
		t.Fatalf("import: exit %d %q %q", code, out, errOut)
	}
	occ := count(`SELECT count(*) FROM meeting_occurrences`)
	if occ < 2 {
		t.Errorf("%d occurrences", occ)
	}
	code, out, _ = runCmd(t, ctx, "", "import", "meetings", file)
	if code != 0 || !strings.Contains(out, "meetings 0 created, 0 updated, 2 unchanged") || count(`SELECT count(*) FROM meeting_occurrences`) != occ {
		t.Errorf("second import changed something: %q", out)
	}
	bad := t.TempDir() + "/bad.yaml"
	writeMeetingsFile(t, bad, "meetings:\n  - {id: x, title: X, start: 2027-01-01 10:00, venue: '', duration: 1h}\n")
	if code, _, errOut := runCmd(t, ctx, "", "import", "meetings", bad); code != 2 || !strings.Contains(errOut, `meetings[0] (id "x"): venue or online link required`) {
		t.Errorf("bad file: exit %d %q", code, errOut)
	}

	code, out, errOut = runCmd(t, ctx, "", "invite", "create", "--org", "sprachschule-anker", "--role", "member", "--groups", "ag-sprache", "--uses", "3", "--bot", "netzbot_erfurt_bot")
	m := regexp.MustCompile(`https://t\.me/netzbot_erfurt_bot\?start=i_([A-Za-z0-9_-]{24})`).FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(out, "Sprachschule Anker") {
		t.Fatalf("invite: exit %d %q %q", code, out, errOut)
	}
	var stored int
	_ = db.Pool.QueryRow(ctx, `SELECT count(*) FROM invites WHERE token_hash = $1 AND max_uses = 3 AND cardinality(group_ids) = 1`, member.HashToken(m[1])).Scan(&stored)
	if stored != 1 {
		t.Error("invite not stored by its hash")
	}
	if code, _, errOut := runCmd(t, ctx, "", "invite", "create", "--org", "nope", "--role", "member", "--bot", "x"); code != 2 || !strings.Contains(errOut, "nope") {
		t.Errorf("unknown organisation: exit %d %q", code, errOut)
	}
	if code, _, _ := runCmd(t, ctx, "", "invite", "create", "--org", "netzwerkbuero", "--role", "admin", "--bot", "x"); code != 2 {
		t.Errorf("admin invite accepted: exit %d", code)
	}

	code, out, _ = runCmd(t, ctx, "", "meetings", "list", "--days", "400")
	if code != 0 || !strings.Contains(out, "Netzwerktreffen Frühjahr 2027") || !strings.Contains(out, "group AG Sprache und Bildung") {
		t.Errorf("meetings list: %q", out)
	}

	// One member who answered: the export lists them.
	if _, err := db.Pool.Exec(ctx, `
		WITH u AS (INSERT INTO users (id, role) VALUES (4711, 'member') RETURNING id),
		     m AS (INSERT INTO members (user_id, organisation_id, display_name) SELECT 4711, id, 'Reza Ahmadi' FROM organisations WHERE external_id = 'sprachschule-anker' RETURNING user_id)
		INSERT INTO rsvps (occurrence_id, user_id, response, responded_at)
		SELECT o.id, 4711, 'yes', now() FROM meeting_occurrences o JOIN meetings mt ON mt.id = o.meeting_id, m WHERE mt.external_id = 'netzwerktreffen-2027-1'`); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runCmd(t, ctx, "", "attendees", "export", "--meeting", "netzwerktreffen-2027-1")
	if code != 0 {
		t.Fatalf("export: exit %d %q", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][7] != "answer" || rows[1][5] != "Reza Ahmadi" || rows[1][6] != "Sprachschule Anker" || rows[1][7] != "yes" {
		t.Errorf("export: %v %v", rows, err)
	}
	if code, _, _ := runCmd(t, ctx, "", "attendees", "export", "--meeting", "nope"); code != 2 {
		t.Errorf("unknown meeting: exit %d", code)
	}
}

func writeMeetingsFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
