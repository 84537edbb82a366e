package tui

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/state"
)

// collector receives the sources' messages, as the program would.
type collector chan tea.Msg

func (c collector) send(m tea.Msg) { c <- m }

// waitFor returns the first message that satisfies ok, failing after a
// deadline.
func (c collector) waitFor(t *testing.T, what string, ok func(tea.Msg) bool) tea.Msg {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m := <-c:
			if ok(m) {
				return m
			}
		case <-deadline:
			t.Fatalf("no message with %s", what)
		}
	}
}

func passwordIs(want string) func(tea.Msg) bool {
	return func(m tea.Msg) bool {
		s, ok := m.(stateMsg)
		return ok && slices.Contains(s.files, state.PasswordFile) && s.info.Password == want
	}
}

// TestStateDirectoryAppearsLater: the console starts before the boot
// services have made the state directory (two levels of it missing); it
// notices the directory and the password written into it, then the
// directory going and coming back.
func TestStateDirectoryAppearsLater(t *testing.T) {
	base := t.TempDir()
	dir := state.New(filepath.Join(base, "run", "installer-console"))
	src := login.Source{State: dir, SSHDir: t.TempDir(), Net: login.Network{NSPath: netnsPath(t)}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := make(collector, 64)
	startSources(ctx, src, c.send)
	c.waitFor(t, "the password missing", func(m tea.Msg) bool {
		s, ok := m.(stateMsg)
		return ok && len(s.files) == 3 && errors.Is(s.info.PasswordErr, fs.ErrNotExist)
	})

	if err := dir.WritePassword("first-password"); err != nil { // makes both directories
		t.Fatal(err)
	}
	c.waitFor(t, "the first password", passwordIs("first-password"))

	if err := dir.WriteOnionHostname(demoOnion); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "the onion hostname", func(m tea.Msg) bool {
		s, ok := m.(stateMsg)
		return ok && s.info.Onion == demoOnion
	})

	if err := os.RemoveAll(dir.Path); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "the password gone", func(m tea.Msg) bool {
		s, ok := m.(stateMsg)
		return ok && slices.Contains(s.files, state.PasswordFile) && errors.Is(s.info.PasswordErr, fs.ErrNotExist)
	})
	if err := dir.WritePassword("second-password"); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "the second password", passwordIs("second-password"))
}

// TestHostKeysAppear: sshd makes its host keys after the console started.
func TestHostKeysAppear(t *testing.T) {
	sshDir := filepath.Join(t.TempDir(), "ssh")
	src := login.Source{State: state.New(t.TempDir()), SSHDir: sshDir, Net: login.Network{NSPath: netnsPath(t)}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := make(collector, 64)
	startSources(ctx, src, c.send)
	c.waitFor(t, "no host keys", func(m tea.Msg) bool {
		k, ok := m.(hostKeysMsg)
		return ok && len(k.keys) == 0
	})
	if err := os.MkdirAll(sshDir, 0o755); err != nil {
		t.Fatal(err)
	}
	const pub = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBkEPUisKvAhplIZh2NXqrPDQ0u8Y/S3JMLKIkOFEvWs root@nixos\n"
	if err := os.WriteFile(filepath.Join(sshDir, "ssh_host_ed25519_key.pub"), []byte(pub), 0o644); err != nil {
		t.Fatal(err)
	}
	c.waitFor(t, "the new host key", func(m tea.Msg) bool {
		k, ok := m.(hostKeysMsg)
		return ok && len(k.keys) == 1 && k.keys[0].Type == "ED25519"
	})
}

// TestNetworkSourceSeesNewAddress: an address added in the console's
// network namespace arrives as a message, through netlink.
func TestNetworkSourceSeesNewAddress(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
	ns.IP("link", "set", "eth0", "up")
	ns.IP("link", "set", "eth1", "up")
	src := login.Source{State: state.New(t.TempDir()), SSHDir: t.TempDir(), Net: login.Network{NSPath: ns.Path()}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := make(collector, 64)
	startSources(ctx, src, c.send)
	c.waitFor(t, "the interfaces", func(m tea.Msg) bool { _, ok := m.(interfacesMsg); return ok })
	ns.IP("addr", "add", "192.0.2.99/24", "dev", "eth0")
	c.waitFor(t, "the new address", func(m tea.Msg) bool {
		im, ok := m.(interfacesMsg)
		if !ok {
			return false
		}
		for _, ifc := range im.ifs {
			if ifc.Name == "eth0" && slices.Contains(ifc.Addrs, netip.MustParseAddr("192.0.2.99")) {
				return true
			}
		}
		return false
	})
}

// netnsPath gives a test its own network namespace when it can (so that
// the network source has something quiet to watch), or the current one.
func netnsPath(t *testing.T) string {
	if os.Geteuid() != 0 {
		return ""
	}
	return netnstest.New(t).Path()
}
