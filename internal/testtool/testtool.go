// Package testtool decides what a test does when a real program it needs
// (tor, sshd, dbus-daemon, zbarimg...) is missing: on a developer machine it
// skips with the package to install; under CI (CI set) it fails, so that a
// missing install step can never turn the suite green by skipping.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Require returns the path of program, or skips (fails under CI) naming the
// Debian package that provides it.
func Require(t testing.TB, program, debianPackage string) string {
	t.Helper()
	p, err := exec.LookPath(program)
	if err == nil {
		return p
	}
	Missing(t, program+" not found; install the Debian package "+debianPackage)
	return ""
}

// RequireRoot skips (fails under CI) when the test is not run as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, "this test needs root (namespaces, mounts)")
	}
}

// Missing skips the test, or fails it under CI.
func Missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}
