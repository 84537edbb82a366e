package state

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testOnion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"

func TestPasswordRoundTripAndMode(t *testing.T) {
	d := New(t.TempDir())
	if _, err := d.ReadPassword(); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing password: got %v, want ErrNotExist", err)
	}
	if err := d.WritePassword("alpha-beta-gamma-delta"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(d.PasswordPath())
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("password mode %v, want 0600", st.Mode().Perm())
	}
	got, err := d.ReadPassword()
	if err != nil || got != "alpha-beta-gamma-delta" {
		t.Fatalf("ReadPassword = %q, %v", got, err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(d.Path, ".*"))
	if len(leftovers) != 0 {
		t.Fatalf("temp files left behind: %v", leftovers)
	}
}

func TestOnionHostnameValidation(t *testing.T) {
	d := New(t.TempDir())
	if err := d.WriteOnionHostname("example.com"); err == nil {
		t.Fatal("wrote an invalid onion hostname")
	}
	if err := d.WriteOnionHostname(testOnion); err != nil {
		t.Fatal(err)
	}
	if h, err := d.ReadOnionHostname(); err != nil || h != testOnion {
		t.Fatalf("ReadOnionHostname = %q, %v", h, err)
	}
	os.WriteFile(d.OnionHostnamePath(), []byte("garbage\x00\n"), 0o644)
	_, err := d.ReadOnionHostname()
	if err == nil || !strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), OnionHostnameFile) {
		t.Fatalf("corrupt onion file: got %v, want an error naming the file", err)
	}
}

func TestTorStatusCorrupt(t *testing.T) {
	d := New(t.TempDir())
	if err := d.WriteTorStatus(TorStatus{State: TorBootstrapping, Bootstrap: 45}); err != nil {
		t.Fatal(err)
	}
	s, err := d.ReadTorStatus()
	if err != nil || s.Bootstrap != 45 || s.State != TorBootstrapping || s.Updated.IsZero() {
		t.Fatalf("ReadTorStatus = %+v, %v", s, err)
	}
	os.WriteFile(d.TorStatusPath(), []byte(`{"state":`), 0o644)
	if _, err := d.ReadTorStatus(); err == nil || !strings.Contains(err.Error(), TorStatusFile) {
		t.Fatalf("truncated JSON: got %v, want an error naming the file", err)
	}
}

func TestWatchReportsAtomicWrites(t *testing.T) {
	d := New(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch, err := d.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.WriteOnionHostname(testOnion); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(5 * time.Second)
	for {
		select {
		case c := <-ch:
			if c.File == OnionHostnameFile {
				return
			}
			if !isStateFile(c.File) {
				t.Fatalf("reported a non-state file %q", c.File)
			}
		case <-timeout:
			t.Fatal("no change event for the onion hostname")
		}
	}
}

func TestWatchDirThatAppearsLater(t *testing.T) {
	d := New(filepath.Join(t.TempDir(), "run", "installer-console"))
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := d.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The boot services make the directory and write into it.
	if err := d.WritePassword("alpha-beta-gamma-delta"); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(5 * time.Second)
	for seen := false; !seen; {
		select {
		case c := <-ch:
			seen = c.File == PasswordFile
		case <-timeout:
			t.Fatal("no change event after the directory appeared")
		}
	}
	cancel()
	for range ch { // closed once the watch has ended
	}
}
