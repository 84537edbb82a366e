package netrestore

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"testing"
)

func listDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = string(b)
	}
	return files
}

var threeUnits = []Unit{{"00-a.network", []byte("new a\n")}, {"00-b.network", []byte("new b\n")}, {"00-c.network", []byte("new c\n")}}

func TestWriteUnitsReplacesAll(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "00-b.network"), []byte("old b\n"), 0o600)
	if err := WriteUnits(dir, threeUnits); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"00-a.network": "new a\n", "00-b.network": "new b\n", "00-c.network": "new c\n"}
	if got := listDir(t, dir); !maps.Equal(got, want) {
		t.Errorf("dir %v, want %v (no temp or backup files left)", got, want)
	}
	fi, _ := os.Stat(filepath.Join(dir, "00-a.network"))
	if fi.Mode().Perm() != unitPerm {
		t.Errorf("mode %v", fi.Mode())
	}
}

// A failure in the middle of the renames puts back what was already
// replaced: the directory is exactly as before, no temp files left.
func TestWriteUnitsFailsAsAWhole(t *testing.T) {
	dir := t.TempDir()
	before := map[string]string{"00-a.network": "old a\n", "00-c.network": "old c\n", "99-other.network": "other\n"}
	for name, content := range before {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	calls := 0
	renameFile = func(from, to string) error {
		calls++
		if calls == 3 {
			return errors.New("injected failure")
		}
		return os.Rename(from, to)
	}
	defer func() { renameFile = os.Rename }()

	err := WriteUnits(dir, threeUnits)
	if err == nil || calls != 3 {
		t.Fatalf("err %v after %d renames", err, calls)
	}
	if got := listDir(t, dir); !maps.Equal(got, before) {
		t.Errorf("dir after failed set %v, want it unchanged %v", got, before)
	}
}

// A target that is a directory is found before anything is renamed.
func TestWriteUnitsTargetNotAFile(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "00-b.network"), 0o755)
	err := WriteUnits(dir, threeUnits)
	if err == nil {
		t.Fatal("no error")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left %v", entries)
	}
}

// The output directory is created when missing; unwritable gives an error
// naming it.
func TestWriteUnitsDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc", "systemd", "network")
	if err := WriteUnits(dir, threeUnits[:1]); err != nil {
		t.Fatal(err)
	}
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o644)
	if err := WriteUnits(filepath.Join(blocker, "network"), threeUnits); err == nil {
		t.Fatal("no error for a directory under a file")
	}
}
