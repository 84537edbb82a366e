package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// binaryPath is the real installer-console, built once for the tests that
// run it as a separate process (as systemd, sshd or a person would).
var binaryPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "installer-console-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binaryPath = filepath.Join(dir, "installer-console")
	build := exec.Command("go", "build", "-o", binaryPath, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building installer-console:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	// The test directory must be reachable by the unprivileged user some
	// tests run the binary as.
	os.Chmod(dir, 0o755)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
