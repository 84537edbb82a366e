package sshtest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The harness itself: a password set with the real chpasswd in the /etc copy
// logs in to the real sshd with the real ssh client; the host is untouched.
func TestLoginAgainstEtcCopy(t *testing.T) {
	etc := NewEtc(t)
	hostShadow, err := os.ReadFile("/etc/shadow")
	if err != nil {
		t.Fatal(err)
	}
	SetPassword(t, etc, "root", "harness: test password")

	copyShadow, err := os.ReadFile(filepath.Join(etc, "shadow"))
	if err != nil {
		t.Fatal(err)
	}
	if string(copyShadow) == string(hostShadow) {
		t.Fatal("chpasswd did not change the copy's shadow file")
	}

	srv := StartSSHD(t, etc, "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	out, err := SSH(ctx, Options{Addr: srv.Addr, Port: srv.Port, Password: "harness: test password",
		Command: "id -un; cat /etc/" + copyMarker + " && echo copy",
		// Check the host key too, so that we know we reached our sshd.
		KnownHosts: srv.KnownHostsFile(t, "")})
	if err != nil {
		t.Fatalf("login with the right password: %v", err)
	}
	if out != "root\ncopy\n" {
		t.Fatalf("remote output %q, want root and proof that the session sees the /etc copy", out)
	}

	_, err = SSH(ctx, Options{Addr: srv.Addr, Port: srv.Port, Password: "wrong password"})
	if !errors.Is(err, ErrPermissionDenied) {
		t.Fatalf("login with a wrong password: got %v, want ErrPermissionDenied", err)
	}
	if !strings.Contains(srv.Log(), "Failed password for root") {
		t.Errorf("sshd did not log the failed password:\n%s", srv.Log())
	}
}

// A command run through InEtcNamespace sees the copy as /etc, while the
// test process keeps seeing the host's /etc.
func TestInEtcNamespace(t *testing.T) {
	etc := NewEtc(t)
	if err := os.WriteFile(filepath.Join(etc, "sshtest-probe"), []byte("in the copy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := EtcCommand(etc, "cat", "/etc/sshtest-probe").CombinedOutput()
	if err != nil || string(out) != "in the copy\n" {
		t.Fatalf("cat /etc/sshtest-probe in the namespace: %q, %v", out, err)
	}
	if _, err := os.Stat("/etc/sshtest-probe"); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the probe is visible in the host's /etc: %v", err)
	}
}

// A directory that is not a copy made by NewEtc is refused before anything
// runs.
func TestInEtcNamespaceRefusesNonCopy(t *testing.T) {
	Require(t)
	notCopy := t.TempDir()
	out, err := EtcCommand(notCopy, "true").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "is not the copy") {
		t.Fatalf("got %v, %q; want a refusal", err, out)
	}
}
