package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/nix-community/installer-console/internal/testtool"
)

// binaryPath is the real installer-console, built once for the tests that
// run it as a separate process (as systemd, sshd or a person would).
var binaryPath string

func TestMain(m *testing.M) {
	var err error
	if binaryPath, err = testtool.BuildCommand(testtool.InstallerConsole); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testtool.MainWithBuilds(m)
}
