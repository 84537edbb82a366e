package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/qr"
	"github.com/nix-community/installer-console/qr/qrtest"
	"github.com/nix-community/installer-console/state"
	"github.com/nix-community/installer-console/wifi/fakeiwd"
)

// tmux drives a program in a tmux session on a private server, as a
// person at a terminal would: keys in, screen text out. tmux gives no
// event when the screen changes, so waiting polls the screen with a
// deadline.
type tmux struct {
	t      *testing.T
	bin    string
	socket string
}

const tmuxTarget = "console"

func startTmux(t *testing.T, width, height int, command []string) *tmux {
	t.Helper()
	bin := testtool.Require(t, "tmux", "tmux")
	dir, err := os.MkdirTemp("", "tmux")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	conf := filepath.Join(dir, "tmux.conf")
	// The pane stays after the program exits, so that what it printed
	// last can be read.
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\nset -g status off\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &tmux{t: t, bin: bin, socket: filepath.Join(dir, "sock")}
	args := append([]string{"-f", conf, "new-session", "-d", "-s", tmuxTarget,
		"-x", fmt.Sprint(width), "-y", fmt.Sprint(height), "--"}, command...)
	s.run(args...)
	t.Cleanup(func() { exec.Command(bin, "-S", s.socket, "kill-server").Run() })
	return s
}

func (s *tmux) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command(s.bin, append([]string{"-S", s.socket}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (s *tmux) screen() string { return s.run("capture-pane", "-p", "-t", tmuxTarget) }

// scrollback is the screen with the lines scrolled off above it. tmux's
// "Pane is dead" note scrolls the screen by a line when the program ends,
// so what a program printed last on its first line is only found here.
func (s *tmux) scrollback() string {
	return s.run("capture-pane", "-p", "-S", "-", "-t", tmuxTarget)
}

// keys sends key names (tmux's: Enter, Down, C-t...).
func (s *tmux) keys(keys ...string) {
	s.t.Helper()
	s.run(append([]string{"send-keys", "-t", tmuxTarget}, keys...)...)
}

// typeText types text literally.
func (s *tmux) typeText(text string) {
	s.t.Helper()
	s.run("send-keys", "-t", tmuxTarget, "-l", text)
}

// waitFor polls the screen every 10 ms until ok holds, and returns it.
func (s *tmux) waitFor(what string, ok func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := s.screen()
		if ok(screen) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; the screen shows:\n%s", what, screen)
		}
		time.Sleep(10 * time.Millisecond) // polling: tmux has no change event
	}
}

func (s *tmux) waitForText(texts ...string) string {
	s.t.Helper()
	return s.waitFor(strings.Join(texts, " and "), func(screen string) bool {
		for _, t := range texts {
			if !strings.Contains(screen, t) {
				return false
			}
		}
		return true
	})
}

// TestConsoleEndToEnd runs the real binary in tmux, in its own network
// namespace, against a fake iwd on a private D-Bus daemon (no WiFi
// hardware exists here; the fake follows iwd 2.3's documented D-Bus
// interface) and a temporary state directory. It connects to a network
// with a passphrase (a wrong one first), to a hidden network, forgets a
// known network, sees the address DHCP would give, sees a new password and
// onion hostname written on disk without a key press, survives resizes
// and scans the QR code off the screen.
func TestConsoleEndToEnd(t *testing.T) {
	bin := consoleBinary(t)
	ns := netnstest.New(t)
	ns.IP("link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
	ns.IP("link", "add", "wlan0", "type", "veth", "peer", "name", "wlan1")
	ns.IP("addr", "add", "192.0.2.2/24", "dev", "eth0")
	for _, l := range []string{"eth0", "eth1", "wlan0", "wlan1"} {
		ns.IP("link", "set", l, "up")
	}

	bus := fakeiwd.StartBus(t)
	fake := fakeiwd.Start(t, bus, fakeiwd.Demo())
	// DHCP stand-in: the address appears a moment after association, in
	// the console's namespace, where its netlink subscription sees it.
	fake.OnConnect(func(c fakeiwd.Connection) {
		exec.Command("ip", "-n", ns.Name, "addr", "replace", "192.0.2.77/24", "dev", c.Interface).Run()
	})

	dir := state.New(t.TempDir())
	if err := dir.WritePassword("first-password-shown"); err != nil {
		t.Fatal(err)
	}
	tm := startTmux(t, 120, 40, []string{"ip", "netns", "exec", ns.Name,
		"env", "DBUS_SYSTEM_BUS_ADDRESS=" + bus, "LANG=C.UTF-8", "NO_COLOR=",
		bin, "--state-dir", dir.Path})
	tm.waitForText("Root password", "first-password-shown", "ssh root@192.0.2.2")

	// WiFi: the list comes from the fake's scan.
	tm.keys("2")
	tm.waitForText("WiFi wlan0", "Home", "Cafe", "Neighbour")
	selectNetwork(tm, "Home")
	tm.keys("Enter")
	tm.waitForText(`WiFi passphrase for "Home"`)
	tm.typeText("not the passphrase")
	tm.waitForText("******************") // masked
	tm.keys("Enter")
	tm.waitForText(`Connecting to "Home": wrong passphrase, or the network refused us.`)

	tm.keys("Enter")
	tm.waitForText(`WiFi passphrase for "Home"`)
	tm.typeText("correct horse battery")
	tm.keys("C-t")
	tm.waitForText("correct horse battery", "ctrl+t hides it") // shown
	tm.keys("Enter")
	tm.waitForText("connected to Home", "wlan0 has 192.0.2.77. Log in with ssh root@192.0.2.77")

	// A hidden network: the form, then iwd asks for the passphrase.
	tm.keys("h")
	tm.waitForText("Hidden network name:")
	tm.typeText("HiddenLab")
	tm.keys("Enter")
	tm.waitForText(`WiFi passphrase for "HiddenLab" (hidden)`)
	tm.typeText("hidden lab passphrase")
	tm.keys("Enter")
	tm.waitForText("connected to HiddenLab", "Log in with ssh root@192.0.2.77")

	// Forget the known café, after confirming.
	selectNetwork(tm, "Cafe")
	tm.keys("f")
	tm.waitForText(`Forget "Cafe"?`)
	tm.keys("y")
	tm.waitForText(`Forgot "Cafe".`)
	if got := fake.KnownSSIDs(); strings.Contains(strings.Join(got, ","), "Cafe") {
		t.Errorf("iwd still knows Cafe: %v", got)
	}

	// Back on the status screen: the WiFi address, then state changes
	// on disk show up without a key press.
	tm.keys("1")
	tm.waitForText("ssh root@192.0.2.77")
	if err := dir.WritePassword("second-password-shown"); err != nil {
		t.Fatal(err)
	}
	tm.waitForText("second-password-shown")
	if err := dir.WriteOnionHostname(demoOnion); err != nil {
		t.Fatal(err)
	}
	// Beside the QR code at 120 columns the address takes two lines.
	tm.waitForText("torify ssh root@", demoOnion[:31], demoOnion[31:])
	if err := dir.WriteTorStatus(state.TorStatus{State: state.TorBootstrapping, Bootstrap: 45}); err != nil {
		t.Fatal(err)
	}
	tm.waitForText("bootstrapping 45%")

	// 80x24: the essentials are there and the footer is on the last line.
	tm.run("resize-window", "-t", tmuxTarget, "-x", "80", "-y", "24")
	small := tm.waitFor("the 80x24 layout", func(s string) bool {
		lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
		return len(lines) == 24 && strings.Contains(lines[23], "q quit") && strings.Contains(s, "QR code with the login data: press 3")
	})
	for _, want := range []string{"second-password-shown", "ssh root@192.0.2.2", "ssh root@192.0.2.77", "torify ssh root@" + demoOnion, "bootstrapping 45%"} {
		if !strings.Contains(small, want) {
			t.Errorf("at 80x24 the screen lacks %q:\n%s", want, small)
		}
	}

	// Large again: the QR code beside the text carries the new data.
	tm.run("resize-window", "-t", tmuxTarget, "-x", "200", "-y", "60")
	large := tm.waitForText("Scan to log in")
	got, err := qrtest.DecodeTerminal(strings.Split(large, "\n"))
	if err != nil {
		t.Fatalf("%v\n%s", err, large)
	}
	wantQR, _ := qr.Payload{Pass: "second-password-shown", Tor: demoOnion, Addrs: []string{"192.0.2.2", "192.0.2.77"}}.JSON()
	if got != string(wantQR) {
		t.Errorf("QR code on screen: %s, want %s", got, wantQR)
	}

	tm.keys("q")
	const comeBack = "Type installer-console to show this screen again."
	tm.waitFor("the come-back line", func(string) bool { return strings.Contains(tm.scrollback(), comeBack) })
}

// selectNetwork moves the WiFi list's selection to ssid, counting the
// rows between the selection and it on the screen.
func selectNetwork(tm *tmux, ssid string) {
	tm.t.Helper()
	var sel, target = -1, -1
	rows := strings.Split(tm.screen(), "\n")
	for i, r := range rows {
		if strings.HasPrefix(r, " > ") {
			sel = i
		}
		if strings.HasPrefix(r[min(len(r), 3):], ssid+" ") {
			target = i
		}
	}
	if sel < 0 || target < 0 {
		tm.t.Fatalf("no selection or no %s in the list:\n%s", ssid, strings.Join(rows, "\n"))
	}
	key := "Down"
	if target < sel {
		key = "Up"
	}
	for range max(target-sel, sel-target) {
		tm.keys(key)
	}
	tm.waitForText("> " + ssid + " ")
}
