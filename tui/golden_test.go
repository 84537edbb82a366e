package tui

import (
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/state"
	"github.com/nix-community/installer-console/wifi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// demoOnion is a fixed v3 onion hostname.
const demoOnion = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"

// demoInfo is fixed login data: a typical machine with a wired interface
// (IPv4 and IPv6), a WiFi interface that is not connected, a published
// onion service and three host keys.
func demoInfo() login.Info {
	return login.Info{
		Hostname: "nixos",
		MDNSName: "nixos.local",
		Password: "unusable-shrewdly-decibel-ample",
		Interfaces: []login.Interface{
			{Name: "ens3", MAC: "52:54:00:12:34:56", Up: true, State: "up", Addrs: []netip.Addr{
				netip.MustParseAddr("192.168.178.54"), netip.MustParseAddr("2001:db8:85a3::8a2e:370:7334")}},
			{Name: "wlan0", MAC: "02:00:00:00:01:00", Up: true, State: "up", Wireless: true, Addrs: []netip.Addr{
				netip.MustParseAddr("192.168.1.77")}},
		},
		Onion: demoOnion,
		Tor:   &state.TorStatus{State: state.TorPublished, Bootstrap: 100, Published: true},
		HostKeys: []login.HostKey{
			{Type: "ED25519", Bits: 256, Fingerprint: "SHA256:VHJiYNoEyl4JGgtCkVCpmSGEAgg2a9LzcAeYGbf95XM", Path: "/etc/ssh/ssh_host_ed25519_key.pub"},
			{Type: "ECDSA", Bits: 256, Fingerprint: "SHA256:e6cM8n/9G/v+5KXnIUghUFO6+M3sTTlOJPpZkIkif5A", Path: "/etc/ssh/ssh_host_ecdsa_key.pub"},
			{Type: "RSA", Bits: 3072, Fingerprint: "SHA256:4EMUzPTzesSAePsRaZIL9TMAkh8tTENwa1ZZDr3Rm1w", Path: "/etc/ssh/ssh_host_rsa_key.pub"},
		},
	}
}

// demoWiFi is a fixed iwd state: one adapter, connected to "Home", with
// a known café and a few others in range.
func demoWiFi() wifi.Snapshot {
	dev := wifi.Path("/net/connman/iwd/0/4")
	net := func(ssid, sec string, dbm, bars int, connected bool, known wifi.Path) wifi.Network {
		return wifi.Network{
			Path: dev + "/" + wifi.Path(strings.ToLower(ssid)) + "_" + wifi.Path(sec), SSID: ssid, Security: sec,
			SignalDBm: dbm, Bars: bars, Connected: connected, Known: known != "", KnownNetwork: known, Device: dev,
		}
	}
	home := wifi.Path("/net/connman/iwd/486f6d65_psk")
	cafe := wifi.Path("/net/connman/iwd/43616665_open")
	return wifi.Snapshot{
		Running:  true,
		Agent:    true,
		Adapters: []wifi.Adapter{{Path: "/net/connman/iwd/0", Name: "phy0", Powered: true, Model: "Fake 802.11ac"}},
		Devices: []wifi.Device{{
			Path: dev, Name: "wlan0", Address: "02:00:00:00:01:00", Powered: true, Mode: "station",
			Adapter: "/net/connman/iwd/0", AdapterName: "phy0", AdapterPowered: true,
			Station: &wifi.Station{
				State: "connected", ConnectedNetwork: dev + "/home_psk",
				Networks: []wifi.Network{
					net("Home", "psk", -48, 4, true, home),
					net("Cafe", "open", -66, 3, false, cafe),
					net("Office", "8021x", -61, 3, false, ""),
					net("Neighbour", "psk", -79, 1, false, ""),
				},
			},
		}},
		KnownNetworks: []wifi.KnownNetwork{
			{Path: home, SSID: "Home", Security: "psk", AutoConnect: true, LastConnected: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)},
			{Path: cafe, SSID: "Cafe", Security: "open", AutoConnect: false},
		},
	}
}

// demoModel is the console with the demo data, no styling (escape
// sequences would make the goldens unreadable) and UTF-8 glyphs.
func demoModel(width, height int) *model {
	l := makeLook(true, false, false)
	w := newWiFiScreen(l)
	w.dialing = false
	w.snap = demoWiFi()
	info := demoInfo()
	w.ifs = info.Interfaces
	return newModel(info, l, w, width, height)
}

func press(m *model, keys ...string) {
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "ctrl+t":
			msg = tea.KeyMsg{Type: tea.KeyCtrlT}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		m.Update(msg)
	}
}

func TestGoldenScreens(t *testing.T) {
	type size struct{ w, h int }
	small, large := size{80, 24}, size{200, 60}
	cases := []struct {
		name  string
		sizes []size
		setup func(m *model)
	}{
		{"status", []size{small, large, {128, 48}, {100, 37}}, func(m *model) {}},
		{"qr", []size{small, large}, func(m *model) { press(m, "3") }},
		{"wifi", []size{small, large}, func(m *model) { press(m, "2") }},
		{"help", []size{small, large}, func(m *model) { press(m, "?") }},
		{"wifi-help", []size{small}, func(m *model) { press(m, "2", "?") }},
		{"wifi-passphrase", []size{small}, func(m *model) {
			press(m, "2")
			m.Update(wifiAskMsg{req: wifi.PassphraseRequest{SSID: "Neighbour"}, reply: make(chan passReply, 1)})
			press(m, "s", "e", "c", "r", "e", "t")
		}},
		{"wifi-passphrase-shown", []size{small}, func(m *model) {
			press(m, "2")
			m.Update(wifiAskMsg{req: wifi.PassphraseRequest{SSID: "Neighbour"}, reply: make(chan passReply, 1)})
			press(m, "s", "e", "c", "r", "e", "t", "ctrl+t", "enter")
		}},
		{"wifi-hidden", []size{small}, func(m *model) { press(m, "2", "h", "L", "a", "b") }},
		{"wifi-forget", []size{small}, func(m *model) { press(m, "2", "down", "f") }},
		{"wifi-off", []size{small}, func(m *model) {
			m.wifi.snap.Devices[0].Station = nil
			m.wifi.snap.Devices[0].AdapterPowered = false
			m.wifi.snap.Adapters[0].Powered = false
			press(m, "2")
		}},
		{"wifi-no-dhcp", []size{small}, func(m *model) {
			press(m, "2")
			m.Update(wifiAddressMsg{ssid: "Home", ifname: "wlan0", err: fmt.Errorf("wlan0 got no IP address: %w", wifi.ErrNoAddress)})
		}},
		{"wifi-connected", []size{small}, func(m *model) {
			press(m, "2")
			m.Update(wifiAddressMsg{ssid: "Home", ifname: "wlan0", addr: netip.MustParsePrefix("192.168.1.77/24")})
		}},
		{"wifi-no-iwd", []size{small}, func(m *model) {
			m.wifi.snap = wifi.Snapshot{}
			press(m, "2")
		}},
		{"status-waiting", []size{small}, func(m *model) {
			m.info = login.Info{Hostname: "nixos", MDNSName: "nixos.local",
				PasswordErr: os.ErrNotExist, OnionErr: os.ErrNotExist,
				Tor: &state.TorStatus{State: state.TorBootstrapping, Bootstrap: 45, Summary: "Loading relay descriptors"},
				Interfaces: []login.Interface{
					{Name: "enp0s31f6", Up: true, State: "down"},
					{Name: "wlan0", Up: true, State: "dormant", Wireless: true},
				}}
		}},
	}
	for _, c := range cases {
		for _, s := range c.sizes {
			name := c.name + "-" + itoa(s.w) + "x" + itoa(s.h)
			t.Run(name, func(t *testing.T) {
				m := demoModel(s.w, s.h)
				c.setup(m)
				checkGolden(t, name, m.View(), s.w, s.h)
			})
		}
	}
}

// TestGoldenASCII is the status and QR screens for a terminal without
// UTF-8: ASCII only, the QR code drawn with "##".
func TestGoldenASCII(t *testing.T) {
	for _, tb := range []struct {
		name string
		key  string
		w, h int
	}{{"status-ascii", "1", 80, 24}, {"qr-ascii", "3", 200, 60}} {
		t.Run(tb.name, func(t *testing.T) {
			m := demoModel(tb.w, tb.h)
			m.look = makeLook(false, false, false)
			m.qr = qrCodes{utf8: false}
			m.wifi.look = m.look
			press(m, tb.key)
			view := m.View()
			for _, r := range view {
				if r > 126 || (r < 32 && r != '\n') {
					t.Fatalf("non-ASCII character %q in the ASCII view", r)
				}
			}
			checkGolden(t, tb.name+"-"+itoa(tb.w)+"x"+itoa(tb.h), view, tb.w, tb.h)
		})
	}
}

// checkGolden compares a view with testdata/<name>.golden, after checking
// that it fills exactly width x height cells.
func checkGolden(t *testing.T, name, view string, width, height int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != height {
		t.Errorf("view has %d lines, want %d", len(lines), height)
	}
	for i, l := range lines {
		if w := textWidth(l); w > width {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, w, width, l)
		}
	}
	// Trailing spaces are invisible; drop them so the files are diffable.
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	got := strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./tui -run Golden -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test ./tui -run Golden -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// TestHostileTextIsCleaned: network names come from the air and may hold
// escape sequences; interface names and state files may too. None of it
// reaches the terminal as a control character.
func TestHostileTextIsCleaned(t *testing.T) {
	evil := "\x1b[2J\x1b]0;owned\x07\u009b31m"
	m := demoModel(100, 30)
	m.Update(interfacesMsg{ifs: []login.Interface{{Name: "eth" + evil, Up: true, State: "up"}}})
	m.Update(stateMsg{files: []string{state.TorStatusFile}, info: login.Info{Tor: &state.TorStatus{State: state.TorError, LastError: evil}}})
	snap := demoWiFi()
	snap.Devices[0].Station.Networks[1].SSID = "Cafe" + evil
	m.Update(wifiChangedMsg{snap})
	m.Update(wifiAskMsg{req: wifi.PassphraseRequest{SSID: evil}, reply: make(chan passReply, 1)})
	m.wifi.say("error from the bus: "+evil, toneBad)
	for _, tb := range []string{"1", "2"} {
		m.tab = tabStatus
		if tb == "2" {
			m.tab = tabWiFi
		}
		for _, r := range m.View() {
			if r != '\n' && (r < ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0)) {
				t.Fatalf("control character %q on screen %s:\n%s", r, tb, m.View())
			}
		}
	}
}
