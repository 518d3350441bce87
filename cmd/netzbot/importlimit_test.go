package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/netzbot/netzbot/internal/importlimit"
	"github.com/netzbot/netzbot/internal/postgres/pgtest"
)

func TestImportRefusesHugeFilesAndTooManyRows(t *testing.T) {
	clearEnv(t)
	db := pgtest.New(t)
	t.Setenv("DATABASE_URL", db.DSN)
	dir := t.TempDir()
	big := filepath.Join(dir, "big.csv")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(importlimit.MaxBytes + 1)
	f.Close()
	if code, _, errOut := runCmd(t, context.Background(), "", "import", "offers", big); code == 0 || !strings.Contains(errOut, "too large") {
		t.Errorf("oversized file: exit %d, %q", code, errOut)
	}
	var b strings.Builder
	b.WriteString("organisations:\n")
	for i := 0; i <= importlimit.MaxRows; i++ {
		fmt.Fprintf(&b, "  - id: org-%d\n    name: Verein %d\n", i, i)
	}
	many := filepath.Join(dir, "many.yaml")
	if err := os.WriteFile(many, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCmd(t, context.Background(), "", "import", "offers", many); code == 0 || !strings.Contains(errOut, "too many rows") {
		t.Errorf("%d rows: exit %d, %q", importlimit.MaxRows+1, code, errOut)
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM organisations`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d organisations imported from refused files (%v)", n, err)
	}
}
