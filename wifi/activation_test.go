package wifi_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nix-community/installer-console/wifi"
	"github.com/nix-community/installer-console/wifi/fakeiwd"
)

// TestWithoutActivationLeavesIwdStopped uses a bus that can start iwd on
// demand, as Debian's and NixOS's system buses do. The service it would
// start only leaves a mark, so the test sees whether activation was asked
// for. The preview relies on WithoutActivation to change nothing.
func TestWithoutActivationLeavesIwdStopped(t *testing.T) {
	dir := t.TempDir()
	mark := filepath.Join(dir, "activated")
	service := fmt.Sprintf("[D-BUS Service]\nName=net.connman.iwd\nExec=/bin/sh -c 'echo yes > %s'\n", mark)
	if err := os.WriteFile(filepath.Join(dir, "net.connman.iwd.service"), []byte(service), 0o644); err != nil {
		t.Fatal(err)
	}
	bus := fakeiwd.StartActivatingBus(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	c, err := wifi.Dial(ctx, bus, wifi.WithoutActivation())
	if err != nil {
		t.Fatal(err)
	}
	running := c.Snapshot().Running
	c.Close()
	if running {
		t.Fatal("iwd reported running on a bus without iwd")
	}
	if _, err := os.Stat(mark); err == nil {
		t.Fatal("WithoutActivation still asked the bus to start iwd")
	}

	// The same bus does start iwd for a normal client, so the check
	// above could have failed.
	c, err = wifi.Dial(ctx, bus)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	data, err := os.ReadFile(mark)
	if err != nil || strings.TrimSpace(string(data)) != "yes" {
		t.Fatalf("a normal Dial did not activate iwd: %v", err)
	}
}

// A machine without a system bus (a container, a minimal host) has no iwd:
// that is "not running", not a bus failure.
func TestNoSystemBusMeansNotRunning(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := wifi.Dial(ctx, "unix:path="+filepath.Join(t.TempDir(), "no_bus_socket"))
	if !errors.Is(err, wifi.ErrNotRunning) {
		t.Fatalf("Dial without a bus: %v, want ErrNotRunning", err)
	}
}
