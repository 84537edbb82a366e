package main

// The standalone fake iwd (a fake of iwd 2.3's D-Bus interface, for
// machines without WiFi hardware) runs as its own process on a real
// private dbus-daemon, plays DHCP in a network namespace, and leaves the
// bus on SIGTERM.

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/wifi"
	"github.com/nix-community/installer-console/wifi/fakeiwd"
)

func TestMain(m *testing.M) { testtool.MainWithBuilds(m) }

func TestFakeIwdProcess(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "wlan0", "type", "veth", "peer", "name", "wlan0p")
	bus := fakeiwd.StartBus(t)

	bin := testtool.Build(t, "github.com/nix-community/installer-console/wifi/fakeiwd/cmd/fake-iwd")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--bus", bus, "--netns", ns.Name, "--address", "192.0.2.77/24")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("fake-iwd said %q, %v", line, err)
	}

	c, err := wifi.Dial(ctx, bus)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	d, err := c.Snapshot().Device("")
	if err != nil {
		t.Fatal(err)
	}
	home, err := d.Station.Network("Home", "")
	if err != nil {
		t.Fatalf("the demo world: %v", err)
	}
	err = c.Connect(ctx, home.Path, func(context.Context, wifi.PassphraseRequest) (string, error) {
		return "correct horse battery", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := netns.GetFromName(ns.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	addr, err := wifi.WaitForAddress(ctx, "wlan0", &h)
	if err != nil || addr.String() != "192.0.2.77/24" {
		t.Fatalf("address %v, %v", addr, err)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("fake-iwd after SIGTERM: %v", err)
	}
	for c.Snapshot().Running {
		select {
		case <-c.Events():
		case <-ctx.Done():
			t.Fatal("the client never saw iwd leave")
		}
	}
}
