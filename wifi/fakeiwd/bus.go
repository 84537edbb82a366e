package fakeiwd

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nix-community/installer-console/internal/testtool"
)

// busConfig is a system-type bus that anyone may use: the tests' private
// stand-in for the system bus, listening on a socket file (not an abstract
// socket, so that processes in other network namespaces reach it too).
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>%s
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow eavesdrop="true"/>
  </policy>
</busconfig>
`

// StartBus starts a private dbus-daemon for the test and returns its
// address. The daemon is stopped when the test ends.
func StartBus(t testing.TB) string {
	t.Helper()
	return startBus(t, "")
}

// StartActivatingBus is StartBus with D-Bus activation: the daemon starts
// services described by the .service files in serviceDir, as the system
// bus starts iwd on first use. Activation of a system bus goes through a
// setuid helper that reads only the system's own directories, so this bus
// is of the session type, which launches services itself; clients cannot
// tell the difference.
func StartActivatingBus(t testing.TB, serviceDir string) string {
	t.Helper()
	return startBus(t, "\n  <servicedir>"+serviceDir+"</servicedir>")
}

func startBus(t testing.TB, extraConfig string) string {
	t.Helper()
	bin := testtool.Require(t, "dbus-daemon", "dbus")
	// A short directory: socket paths are limited to 108 bytes.
	dir, err := os.MkdirTemp("", "fakebus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	conf := filepath.Join(dir, "bus.conf")
	sock := filepath.Join(dir, "system_bus_socket")
	if err := os.WriteFile(conf, fmt.Appendf(nil, busConfig, sock, extraConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--config-file="+conf, "--nofork", "--print-address=1")
	// The daemon's complaints (it cannot raise its fd limit in a
	// container) matter only when a test fails.
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start dbus-daemon: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("dbus-daemon: %s", stderr.Bytes())
		}
	})
	// dbus-daemon prints its address once it listens.
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	return strings.TrimSpace(line)
}
