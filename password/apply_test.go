package password

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/state"
)

// These tests drive Apply with stand-ins for chpasswd (shell scripts that
// record their input or fail), so they need neither root nor a namespace.
// The real chpasswd is exercised in command_test.go.

// stub writes an executable script standing in for chpasswd.
func stub(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chpasswd")
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// recordingStub accepts every password and appends its input to the
// returned file.
func recordingStub(t *testing.T) (path, received string) {
	received = filepath.Join(t.TempDir(), "received")
	return stub(t, `cat >>"`+received+`"`), received
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return string(data)
}

func TestApplyGeneratesOnceThenKeeps(t *testing.T) {
	chpasswd, received := recordingStub(t)
	d := state.New(filepath.Join(t.TempDir(), "state"))
	req := Request{State: d, Words: 5, Chpasswd: Chpasswd{Path: chpasswd}}

	res, err := Apply(context.Background(), req)
	if err != nil || !res.Generated || res.Kept {
		t.Fatalf("first Apply = %+v, %v; want a generated password", res, err)
	}
	pw, err := d.ReadPassword()
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, received); got != "root:"+pw+"\n" {
		t.Fatalf("chpasswd got %q, want root:<the recorded password>", got)
	}
	if n := len(strings.Split(pw, Separator)); n != 5 {
		t.Errorf("%d words, want 5", n)
	}
	info, err := os.Stat(d.PasswordPath())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("password file mode %v, want 0600", info.Mode().Perm())
	}

	res, err = Apply(context.Background(), req)
	if err != nil || !res.Kept {
		t.Fatalf("second Apply = %+v, %v; want the password kept", res, err)
	}
	if got, _ := d.ReadPassword(); got != pw {
		t.Errorf("kept password changed from %q to %q", pw, got)
	}
	if got := readFile(t, received); got != "root:"+pw+"\n" {
		t.Errorf("chpasswd ran again for a kept password: %q", got)
	}

	req.Regenerate = true
	if res, err = Apply(context.Background(), req); err != nil || !res.Generated {
		t.Fatalf("Apply with Regenerate = %+v, %v", res, err)
	}
	newPw, _ := d.ReadPassword()
	if newPw == pw {
		t.Fatal("Regenerate kept the old password")
	}
	if got := readFile(t, received); got != "root:"+pw+"\nroot:"+newPw+"\n" {
		t.Errorf("chpasswd input %q, want the old then the new password", got)
	}

	req = Request{State: d, Chosen: "my: own secret", Chpasswd: Chpasswd{Path: chpasswd, User: "nixos"}}
	if res, err = Apply(context.Background(), req); err != nil || res.Generated || res.Kept {
		t.Fatalf("Apply with Chosen = %+v, %v", res, err)
	}
	if got, _ := d.ReadPassword(); got != "my: own secret" {
		t.Errorf("recorded %q, want the chosen password", got)
	}
	if got := readFile(t, received); !strings.HasSuffix(got, "\nnixos:my: own secret\n") {
		t.Errorf("chpasswd input %q does not end with the chosen password for nixos", got)
	}
}

func TestApplyRejectsBadRequests(t *testing.T) {
	chpasswd, received := recordingStub(t)
	d := state.New(t.TempDir())
	for _, req := range []Request{
		{State: d, Words: 2, Chpasswd: Chpasswd{Path: chpasswd}},
		{State: d, Words: MaxWords + 1, Chpasswd: Chpasswd{Path: chpasswd}},
		{State: d, Chosen: "short", Chpasswd: Chpasswd{Path: chpasswd}},
		{State: d, Words: 4, Chpasswd: Chpasswd{Path: chpasswd, User: "evil:user"}},
	} {
		if _, err := Apply(context.Background(), req); err == nil {
			t.Errorf("Apply(%+v) succeeded, want an error", req)
		}
	}
	if got := readFile(t, received); got != "" {
		t.Errorf("chpasswd ran for a bad request: %q", got)
	}
	if _, err := d.ReadPassword(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a password was recorded for a bad request: %v", err)
	}
}

// When chpasswd is missing or fails, the state file stays as it was: absent,
// or naming the old password, which is still the one that works.
func TestApplyFailureKeepsState(t *testing.T) {
	failing := stub(t, `cat >/dev/null; echo "chpasswd: stub refuses" >&2; exit 3`)
	missing := filepath.Join(t.TempDir(), "no-such-chpasswd")
	for _, tc := range []struct {
		name, path, wantErr string
	}{
		{"failing", failing, "stub refuses"},
		{"missing", missing, "chpasswd not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := state.New(t.TempDir())
			_, err := Apply(context.Background(), Request{State: d, Words: 4, Chpasswd: Chpasswd{Path: tc.path}})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "not changed") {
				t.Fatalf("got %v, want an error saying %q and that nothing changed", err, tc.wantErr)
			}
			if _, err := os.Stat(d.PasswordPath()); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("a password file exists after a failure: %v", err)
			}

			if err := d.WritePassword("old-pass-word-here"); err != nil {
				t.Fatal(err)
			}
			_, err = Apply(context.Background(), Request{State: d, Words: 4, Regenerate: true, Chpasswd: Chpasswd{Path: tc.path}})
			if err == nil {
				t.Fatal("Regenerate succeeded without a working chpasswd")
			}
			if got, _ := d.ReadPassword(); got != "old-pass-word-here" {
				t.Fatalf("state file changed to %q after a failed Regenerate", got)
			}
		})
	}
	if missingErr := (Chpasswd{Path: missing}).Set(context.Background(), "whatever-pass"); !errors.Is(missingErr, ErrChpasswdMissing) {
		t.Errorf("missing chpasswd: %v, want ErrChpasswdMissing", missingErr)
	}
}

// chpasswd's output ends up in the journal via our error; a password in it
// is masked.
func TestChpasswdErrorMasksPassword(t *testing.T) {
	echoing := stub(t, `read -r line; echo "cannot parse: $line" >&2; exit 1`)
	err := Chpasswd{Path: echoing}.Set(context.Background(), "very-secret-words-here")
	if err == nil || strings.Contains(err.Error(), "very-secret-words-here") || !strings.Contains(err.Error(), "root:<password>") {
		t.Fatalf("got %v; want chpasswd's message with the password masked", err)
	}
}

// If the password was changed but cannot be recorded, the old record, which
// no longer works, is removed rather than left to mislead viewers.
func TestApplyRecordFailureRemovesStaleFile(t *testing.T) {
	chpasswd, _ := recordingStub(t)
	d := state.New(t.TempDir())
	// A directory where the file should be makes the rename fail.
	if err := os.Mkdir(d.PasswordPath(), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Apply(context.Background(), Request{State: d, Words: 4, Regenerate: true, Chpasswd: Chpasswd{Path: chpasswd}})
	if err == nil || !strings.Contains(err.Error(), "was changed but could not be recorded") {
		t.Fatalf("got %v, want an error saying the password changed but was not recorded", err)
	}
	if _, err := os.Stat(d.PasswordPath()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale password record left behind: %v", err)
	}
}
