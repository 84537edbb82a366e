package wifi_test

// These tests run the client against fakeiwd, a fake of iwd 2.3's D-Bus
// interface, exported on a real private dbus-daemon: no wireless hardware
// or mac80211_hwsim exists where they run, and the stock iwd exits at once
// there.

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/vishvananda/netns"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/wifi"
	"github.com/nix-community/installer-console/wifi/fakeiwd"
)

// limit bounds every wait; reaching it is a failure, never a pacing tool.
const limit = 15 * time.Second

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, addr string) *wifi.Client {
	t.Helper()
	c, err := wifi.Dial(testContext(t), addr)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// setup starts a bus, the fake iwd with the scenario, and a client.
func setup(t *testing.T, sc fakeiwd.Scenario) (*fakeiwd.Fake, *wifi.Client) {
	t.Helper()
	addr := fakeiwd.StartBus(t)
	f := fakeiwd.Start(t, addr, sc)
	return f, dial(t, addr)
}

// waitFor waits on the client's events until cond holds.
func waitFor(t *testing.T, c *wifi.Client, what string, cond func(wifi.Snapshot) bool) wifi.Snapshot {
	t.Helper()
	deadline := time.After(limit)
	for {
		s := c.Snapshot()
		if cond(s) {
			return s
		}
		select {
		case _, ok := <-c.Events():
			if !ok {
				t.Fatalf("events closed while waiting for %s", what)
			}
		case <-deadline:
			t.Fatalf("timed out waiting for %s; last snapshot: %+v", what, s)
		}
	}
}

func station(t *testing.T, s wifi.Snapshot, dev string) (wifi.Device, *wifi.Station) {
	t.Helper()
	d, err := s.Device(dev)
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.Ready()
	if err != nil {
		t.Fatal(err)
	}
	return d, st
}

func network(t *testing.T, c *wifi.Client, ssid string) (wifi.Device, wifi.Network) {
	t.Helper()
	d, st := station(t, c.Snapshot(), "")
	n, err := st.Network(ssid, "")
	if err != nil {
		t.Fatal(err)
	}
	return d, n
}

func oneAdapter(networks ...fakeiwd.Network) fakeiwd.Scenario {
	return fakeiwd.Scenario{
		InitialScan: true,
		Adapters:    []fakeiwd.Adapter{{Name: "phy0", Device: "wlan0"}},
		Networks:    networks,
	}
}

var home = fakeiwd.Network{SSID: "Home", Security: "psk", Signal: -50, Passphrase: "correct horse battery"}

// answer is a PassphraseFunc that gives pass and records the requests.
func answer(pass string, asked *[]wifi.PassphraseRequest) wifi.PassphraseFunc {
	return func(ctx context.Context, req wifi.PassphraseRequest) (string, error) {
		*asked = append(*asked, req)
		return pass, nil
	}
}

func wantError(t *testing.T, err error, name, sentence string) *wifi.Error {
	t.Helper()
	var e *wifi.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want a *wifi.Error named %s", err, err, name)
	}
	if e.Name != name || !strings.Contains(e.Error(), sentence) {
		t.Fatalf("got %s error %q, want %s saying %q", e.Name, e.Error(), name, sentence)
	}
	return e
}

func TestScanOrdersNetworksLikeIwd(t *testing.T) {
	sc := oneAdapter(
		fakeiwd.Network{SSID: "Weak", Security: "psk", Signal: -80},
		fakeiwd.Network{SSID: "Strong", Security: "open", Signal: -45},
		fakeiwd.Network{SSID: "Middle", Security: "psk", Signal: -63},
		fakeiwd.Network{SSID: "KnownFar", Security: "psk", Signal: -70, Passphrase: "known far away"},
		fakeiwd.Network{SSID: "Secret", Security: "psk", Signal: -50, Hidden: true},
	)
	sc.InitialScan = false
	sc.Known = []fakeiwd.Known{{SSID: "KnownFar", Security: "psk", Passphrase: "known far away"}}
	f, c := setup(t, sc)
	ctx := testContext(t)

	d, st := station(t, c.Snapshot(), "wlan0")
	if len(st.Networks) != 0 {
		t.Fatalf("networks before any scan: %+v", st.Networks)
	}

	// Hold the scan open to see Scanning true, as a UI would.
	release := f.HoldScans()
	scanned := make(chan error, 1)
	go func() { scanned <- c.Scan(ctx, d.Path) }()
	waitFor(t, c, "Scanning true", func(s wifi.Snapshot) bool {
		d, err := s.Device("wlan0")
		return err == nil && d.Station != nil && d.Station.Scanning
	})
	release()
	if err := <-scanned; err != nil {
		t.Fatalf("Scan: %v", err)
	}

	// Scan returns with the results in the model.
	_, st = station(t, c.Snapshot(), "wlan0")
	if st.Scanning {
		t.Error("still scanning after Scan returned")
	}
	type row struct {
		ssid      string
		dbm, bars int
		known     bool
	}
	var got []row
	for _, n := range st.Networks {
		got = append(got, row{n.SSID, n.SignalDBm, n.Bars, n.Known})
	}
	want := []row{
		{"KnownFar", -70, 2, true}, // known networks first
		{"Strong", -45, 4, false},
		{"Middle", -63, 3, false},
		{"Weak", -80, 1, false},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("networks after scan:\n got %+v\nwant %+v", got, want)
	}

	hidden, err := c.HiddenAccessPoints(ctx, d.Path)
	if err != nil {
		t.Fatal(err)
	}
	if len(hidden) != 1 || hidden[0].Security != "psk" || hidden[0].SignalDBm != -50 {
		t.Fatalf("hidden access points: %+v", hidden)
	}

	// Once connected, the connected network leads.
	_, strong := network(t, c, "Strong")
	if err := c.Connect(ctx, strong.Path, nil); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, c, "Strong first and connected", func(s wifi.Snapshot) bool {
		_, st := station(t, s, "wlan0")
		return len(st.Networks) > 0 && st.Networks[0].SSID == "Strong" && st.Networks[0].Connected
	})
	_, st = station(t, s, "wlan0")
	if n, ok := st.Connected(); !ok || n.SSID != "Strong" || st.State != "connected" {
		t.Fatalf("station after connecting: %+v", st)
	}
}

func TestConnectWithPassphraseThenAddress(t *testing.T) {
	ns := netnstest.New(t)
	// A veth stands in for the WiFi interface (no dummy module here).
	ns.IP("link", "add", "wlan0", "type", "veth", "peer", "name", "wlan0p")
	ns.IP("link", "set", "wlan0", "up")

	f, c := setup(t, oneAdapter(home))
	ctx := testContext(t)
	// The fake's hook plays DHCP: it adds an address once associated.
	hooked := make(chan error, 1)
	f.OnConnect(func(conn fakeiwd.Connection) {
		out, err := exec.Command("ip", "netns", "exec", ns.Name,
			"ip", "addr", "add", "192.0.2.10/24", "dev", conn.Interface).CombinedOutput()
		if err != nil {
			err = fmt.Errorf("%v: %s", err, out)
		}
		hooked <- err
	})

	d, n := network(t, c, "Home")
	var asked []wifi.PassphraseRequest
	if err := c.Connect(ctx, n.Path, answer("correct horse battery", &asked)); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	if len(asked) != 1 || asked[0].SSID != "Home" || asked[0].Device != d.Path || asked[0].Hidden {
		t.Fatalf("passphrase requests: %+v", asked)
	}

	h, err := netns.GetFromName(ns.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	addr, err := wifi.WaitForAddress(ctx, "wlan0", &h)
	if err != nil {
		t.Fatalf("WaitForAddress: %v", err)
	}
	if addr.String() != "192.0.2.10/24" {
		t.Fatalf("address %s, want 192.0.2.10/24", addr)
	}
	if err := <-hooked; err != nil {
		t.Fatal(err)
	}

	s := waitFor(t, c, "Home connected and known", func(s wifi.Snapshot) bool {
		_, st := station(t, s, "wlan0")
		n, ok := st.Connected()
		return ok && n.SSID == "Home" && n.Known && len(s.KnownNetworks) == 1
	})
	if k := s.KnownNetworks[0]; k.SSID != "Home" || k.Security != "psk" || k.Hidden || !k.AutoConnect || k.LastConnected.IsZero() {
		t.Fatalf("known network: %+v", k)
	}

	// iwd now has the passphrase: reconnecting asks nobody.
	if err := c.Disconnect(ctx, d.Path); err != nil {
		t.Fatal(err)
	}
	if _, st := station(t, c.Snapshot(), "wlan0"); st.State != "disconnected" {
		t.Fatalf("state after Disconnect: %s", st.State)
	}
	if err := c.Connect(ctx, n.Path, answer("unused", &asked)); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 {
		t.Fatalf("asked again for a known network: %+v", asked)
	}

	// The address is already there now; it counts at once.
	if addr, err := wifi.WaitForAddress(ctx, "wlan0", &h); err != nil || addr.String() != "192.0.2.10/24" {
		t.Fatalf("second WaitForAddress: %v %v", addr, err)
	}
}

func TestWaitForAddressGivesUp(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "wlan9", "type", "veth", "peer", "name", "wlan9p")
	ns.IP("link", "set", "wlan9", "up")
	// Not global, so not enough to be online.
	ns.IP("addr", "add", "fe80::9/64", "dev", "wlan9", "nodad")
	h, err := netns.GetFromName(ns.Name)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = wifi.WaitForAddress(ctx, "wlan9", &h)
	if !errors.Is(err, wifi.ErrNoAddress) || !strings.Contains(err.Error(), "DHCP gave no address") {
		t.Fatalf("got %v, want ErrNoAddress", err)
	}
	if _, err := wifi.WaitForAddress(context.Background(), "nosuch0", &h); err == nil || !strings.Contains(err.Error(), "no network interface nosuch0") {
		t.Fatalf("missing interface: %v", err)
	}
}

func TestWrongPassphraseFails(t *testing.T) {
	_, c := setup(t, oneAdapter(home))
	ctx := testContext(t)
	_, n := network(t, c, "Home")

	var asked []wifi.PassphraseRequest
	err := c.Connect(ctx, n.Path, answer("battery staple horse", &asked))
	wantError(t, err, "Failed", `connecting to "Home": wrong passphrase, or the network refused us`)
	waitFor(t, c, "disconnected after the attempt", func(s wifi.Snapshot) bool {
		_, st := station(t, s, "wlan0")
		return st.State == "disconnected" && st.ConnectedNetwork == ""
	})
	if s := c.Snapshot(); len(s.KnownNetworks) != 0 {
		t.Fatalf("a failed attempt was stored: %+v", s.KnownNetworks)
	}
	// iwd asks again next time, and the right one works.
	if err := c.Connect(ctx, n.Path, answer("correct horse battery", &asked)); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 2 {
		t.Fatalf("asked %d times, want 2", len(asked))
	}
}

func TestAgentCancelledByIwd(t *testing.T) {
	f, c := setup(t, oneAdapter(home, fakeiwd.Network{SSID: "Away", Security: "psk", Signal: -70, Passphrase: "gone soon enough"}))
	ctx := testContext(t)

	// A prompt nobody answers: iwd times out and sends Cancel("timed-out").
	f.SetAgentTimeout(100 * time.Millisecond)
	var cause error
	unanswered := func(ctx context.Context, req wifi.PassphraseRequest) (string, error) {
		<-ctx.Done()
		cause = context.Cause(ctx)
		return "", ctx.Err()
	}
	_, n := network(t, c, "Home")
	err := c.Connect(ctx, n.Path, unanswered)
	e := wantError(t, err, "Aborted", "nobody entered the passphrase in time")
	if e.CancelReason != "timed-out" {
		t.Fatalf("cancel reason %q, want timed-out", e.CancelReason)
	}
	var ce *wifi.CanceledError
	if !errors.As(cause, &ce) || ce.Reason != "timed-out" {
		t.Fatalf("prompt's context cause: %v", cause)
	}

	// The network leaves while the prompt is open: "out-of-range".
	f.SetAgentTimeout(time.Minute)
	_, away := network(t, c, "Away")
	leaving := func(ctx context.Context, req wifi.PassphraseRequest) (string, error) {
		f.RemoveNetwork("Away")
		<-ctx.Done()
		cause = context.Cause(ctx)
		return "", ctx.Err()
	}
	err = c.Connect(ctx, away.Path, leaving)
	if e := wantError(t, err, "Aborted", "went out of range"); e.CancelReason != "out-of-range" {
		t.Fatalf("cancel reason %q", e.CancelReason)
	}
	if !errors.As(cause, &ce) || ce.Reason != "out-of-range" {
		t.Fatalf("prompt's context cause: %v", cause)
	}

	// The person gives up: the prompt's error is what Connect reports.
	giveUp := errors.New("the person pressed Escape")
	err = c.Connect(ctx, n.Path, func(context.Context, wifi.PassphraseRequest) (string, error) { return "", giveUp })
	if !errors.Is(err, giveUp) {
		t.Fatalf("got %v, want the prompt's error", err)
	}
	// No prompt at all.
	if err := c.Connect(ctx, n.Path, nil); !errors.Is(err, wifi.ErrNoPassphrase) {
		t.Fatalf("got %v, want ErrNoPassphrase", err)
	}
}

func TestPassphraseFormat(t *testing.T) {
	_, c := setup(t, oneAdapter(home))
	ctx := testContext(t)
	_, n := network(t, c, "Home")

	// A 64-digit hex key passes our check, but iwd 2.3 takes only
	// passphrases from an agent: InvalidFormat.
	key := strings.Repeat("0123456789abcdef", 4)
	if err := wifi.ValidatePassphrase(key); err != nil {
		t.Fatal(err)
	}
	var asked []wifi.PassphraseRequest
	err := c.Connect(ctx, n.Path, answer(key, &asked))
	wantError(t, err, "InvalidFormat", "8 to 63 printable ASCII characters")

	// A short one never reaches iwd: the client refuses it.
	err = c.Connect(ctx, n.Path, answer("short", &asked))
	var in *wifi.InputError
	if !errors.As(err, &in) || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("got %v, want the client's own refusal", err)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		pass string
		ok   bool
		says string
	}{
		{"12345678", true, ""},
		{strings.Repeat("x", 63), true, ""},
		{strings.Repeat("A", 64), true, ""}, // hex
		{"", false, "empty"},
		{"1234567", false, "too short"},
		{strings.Repeat("x", 64), false, "64 hex digits"},
		{strings.Repeat("x", 65), false, "at most 63"},
		{"pässwörter", false, "printable ASCII"},
		{"tab\tinside", false, "printable ASCII"},
	} {
		err := wifi.ValidatePassphrase(tc.pass)
		if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), tc.says)) {
			t.Errorf("ValidatePassphrase(%q) = %v", tc.pass, err)
		}
	}
	if err := wifi.ValidateSSID(strings.Repeat("x", 32)); err != nil {
		t.Error(err)
	}
	if err := wifi.ValidateSSID("ääääääääääääääää!"); err == nil || !strings.Contains(err.Error(), "33 bytes") {
		t.Errorf("33-byte SSID: %v", err)
	}
	if err := wifi.ValidateSSID(""); err == nil {
		t.Error("empty SSID accepted")
	}
}

func TestSignal(t *testing.T) {
	for _, tc := range []struct {
		raw       int16
		dbm, bars int
	}{
		{-4000, -40, 4}, {-6000, -60, 4}, {-6001, -60, 3}, {-6700, -67, 3},
		{-6750, -68, 2}, {-7500, -75, 2}, {-7501, -75, 1}, {-10000, -100, 1},
	} {
		if dbm, bars := wifi.SignalDBm(tc.raw), wifi.Bars(tc.raw); dbm != tc.dbm || bars != tc.bars {
			t.Errorf("%d: %d dBm %d bars, want %d %d", tc.raw, dbm, bars, tc.dbm, tc.bars)
		}
	}
}

func TestHiddenNetworks(t *testing.T) {
	sc := oneAdapter(
		fakeiwd.Network{SSID: "Visible", Security: "psk", Signal: -55, Passphrase: "visible passphrase"},
		fakeiwd.Network{SSID: "Secret", Security: "psk", Signal: -60, Passphrase: "secret passphrase", Hidden: true},
		fakeiwd.Network{SSID: "Twin", Security: "psk", Signal: -60, Hidden: true},
		fakeiwd.Network{SSID: "Twin", Security: "open", Signal: -61, Hidden: true},
	)
	sc.Known = []fakeiwd.Known{{SSID: "Stored", Security: "psk", Hidden: true, Passphrase: "stored passphrase"}}
	_, c := setup(t, sc)
	ctx := testContext(t)
	d, _ := station(t, c.Snapshot(), "wlan0")
	var asked []wifi.PassphraseRequest
	ask := answer("secret passphrase", &asked)

	for _, tc := range []struct{ ssid, name, says string }{
		{"Visible", "NotHidden", "this network is not hidden: it broadcasts its name"},
		{"Nowhere", "NotFound", "no hidden network with that name was found"},
		{"Stored", "AlreadyProvisioned", "iwd already knows a network with this name"},
		{"Twin", "ServiceSetOverlap", "cannot tell which one is meant"},
	} {
		err := c.ConnectHidden(ctx, d.Path, tc.ssid, ask)
		wantError(t, err, tc.name, tc.says)
		if prefix := fmt.Sprintf("connecting to hidden network %q: ", tc.ssid); !strings.HasPrefix(err.Error(), prefix) {
			t.Errorf("%q does not start with %q", err, prefix)
		}
	}
	if len(asked) != 0 {
		t.Fatalf("asked for a passphrase on a failing hidden connect: %+v", asked)
	}
	// Too long a name never reaches iwd.
	var in *wifi.InputError
	if err := c.ConnectHidden(ctx, d.Path, strings.Repeat("n", 33), ask); !errors.As(err, &in) {
		t.Fatalf("33-byte name: %v", err)
	}

	if err := c.ConnectHidden(ctx, d.Path, "Secret", ask); err != nil {
		t.Fatalf("ConnectHidden: %v", err)
	}
	if len(asked) != 1 || asked[0].SSID != "Secret" || !asked[0].Hidden || asked[0].Device != d.Path {
		t.Fatalf("passphrase requests: %+v", asked)
	}
	waitFor(t, c, "Secret connected and known as hidden", func(s wifi.Snapshot) bool {
		_, st := station(t, s, "wlan0")
		n, ok := st.Connected()
		k, err := s.Known("Secret", "psk")
		return ok && n.SSID == "Secret" && err == nil && k.Hidden
	})
	// Provisioned once; doing it again is refused.
	err := c.ConnectHidden(ctx, d.Path, "Secret", ask)
	wantError(t, err, "AlreadyProvisioned", "connect to it from the list")
}

func TestForgetAndAutoConnect(t *testing.T) {
	sc := oneAdapter(home, fakeiwd.Network{SSID: "Cafe", Security: "open", Signal: -66})
	sc.Known = []fakeiwd.Known{{SSID: "Cafe", Security: "open"}}
	f, c := setup(t, sc)
	ctx := testContext(t)

	k, err := c.Snapshot().Known("Cafe", "")
	if err != nil || !k.AutoConnect {
		t.Fatalf("Cafe: %+v %v", k, err)
	}
	if err := c.SetAutoConnect(ctx, k.Path, false); err != nil {
		t.Fatal(err)
	}
	if k, _ := c.Snapshot().Known("Cafe", ""); k.AutoConnect {
		t.Fatal("autoconnect still on")
	}
	if err := c.SetAutoConnect(ctx, k.Path, true); err != nil {
		t.Fatal(err)
	}
	if k, _ := c.Snapshot().Known("Cafe", ""); !k.AutoConnect {
		t.Fatal("autoconnect still off")
	}

	// Forgetting the connected network disconnects it.
	_, cafe := network(t, c, "Cafe")
	if err := c.Connect(ctx, cafe.Path, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Forget(ctx, k.Path); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, c, "Cafe forgotten and disconnected", func(s wifi.Snapshot) bool {
		_, st := station(t, s, "wlan0")
		n, err := st.Network("Cafe", "")
		return len(s.KnownNetworks) == 0 && st.State == "disconnected" && err == nil && !n.Known
	})
	if _, err := s.Known("Cafe", ""); err == nil {
		t.Fatal("Cafe still known")
	}
	if got := f.KnownSSIDs(); len(got) != 0 {
		t.Fatalf("fake still stores %v", got)
	}
	// Forgetting what is gone is an error with a sentence.
	err = c.Forget(ctx, k.Path)
	if err == nil || !strings.Contains(err.Error(), "no longer has that object") {
		t.Fatalf("forgetting twice: %v", err)
	}
}

func TestIwdRestarts(t *testing.T) {
	addr := fakeiwd.StartBus(t)
	f := fakeiwd.Start(t, addr, oneAdapter(home))
	c := dial(t, addr)
	ctx := testContext(t)

	if err := f.WaitForAgents(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if a := f.Agents(); a[0].Path != wifi.AgentPath {
		t.Fatalf("agents: %+v", a)
	}
	if s := c.Snapshot(); !s.Running || !s.Agent || s.Daemon.Version != "2.3" {
		t.Fatalf("snapshot: %+v", s)
	}

	// iwd stops while a prompt is open: Cancel("shutdown"), then Release
	// and NameOwnerChanged.
	_, n := network(t, c, "Home")
	asking := make(chan struct{})
	connected := make(chan error, 1)
	go func() {
		connected <- c.Connect(ctx, n.Path, func(ctx context.Context, req wifi.PassphraseRequest) (string, error) {
			close(asking)
			<-ctx.Done()
			return "", ctx.Err()
		})
	}()
	<-asking
	f.Stop()
	err := <-connected
	if e := wantError(t, err, "Aborted", "iwd shut down"); e.CancelReason != "shutdown" {
		t.Fatalf("cancel reason %q", e.CancelReason)
	}
	s := waitFor(t, c, "iwd gone", func(s wifi.Snapshot) bool { return !s.Running })
	if len(s.Devices) != 0 || s.Agent {
		t.Fatalf("snapshot without iwd: %+v", s)
	}
	if _, err := s.Device(""); !errors.Is(err, wifi.ErrNotRunning) {
		t.Fatalf("Device without iwd: %v", err)
	}

	// iwd comes back: the client reads the tree and registers again.
	if err := f.Restart(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, c, "iwd back with our agent", func(s wifi.Snapshot) bool {
		_, err := s.Device("wlan0")
		return s.Running && s.Agent && err == nil
	})
	if err := f.WaitForAgents(ctx, 1); err != nil {
		t.Fatal(err)
	}
	_, n = network(t, c, "Home")
	var asked []wifi.PassphraseRequest
	if err := c.Connect(ctx, n.Path, answer("correct horse battery", &asked)); err != nil {
		t.Fatalf("Connect after the restart: %v", err)
	}
	if len(asked) != 1 {
		t.Fatalf("asked %d times", len(asked))
	}
}

func TestIwdNotRunningThenStarting(t *testing.T) {
	addr := fakeiwd.StartBus(t)
	c := dial(t, addr)
	ctx := testContext(t)
	s := c.Snapshot()
	if s.Running {
		t.Fatal("running without iwd")
	}
	if _, err := s.Device(""); err == nil || err.Error() != "iwd is not running (no net.connman.iwd on the system bus)" {
		t.Fatalf("Device: %v", err)
	}
	if err := c.Scan(ctx, "/net/connman/iwd/0/4"); !errors.Is(err, wifi.ErrNotRunning) {
		t.Fatalf("Scan: %v", err)
	}

	fakeiwd.Start(t, addr, oneAdapter(home))
	waitFor(t, c, "iwd started", func(s wifi.Snapshot) bool { return s.Running && s.Agent && len(s.Devices) == 1 })
}

func TestNoAdapter(t *testing.T) {
	_, c := setup(t, fakeiwd.Scenario{})
	s := c.Snapshot()
	if !s.Running {
		t.Fatal("iwd not seen")
	}
	_, err := s.Device("")
	if !errors.Is(err, wifi.ErrNoAdapter) || err.Error() != "no WiFi adapter found" {
		t.Fatalf("got %v", err)
	}
}

func TestPowerAndRfkill(t *testing.T) {
	sc := fakeiwd.Scenario{
		Adapters: []fakeiwd.Adapter{
			{Name: "phy0", Device: "wlan0", SoftBlocked: true},
			{Name: "phy1", Device: "wlan1", HardBlocked: true},
			{Name: "phy2", Device: "wlan2", DeviceOff: true},
		},
		Networks: []fakeiwd.Network{home},
	}
	_, c := setup(t, sc)
	ctx := testContext(t)
	s := c.Snapshot()
	if _, err := s.Device(""); !errors.Is(err, wifi.ErrSeveralDevices) || !strings.Contains(err.Error(), "wlan0, wlan1, wlan2") {
		t.Fatalf("no device named: %v", err)
	}
	if _, err := s.Device("wlan7"); err == nil || !strings.Contains(err.Error(), `no WiFi device named "wlan7"`) {
		t.Fatalf("unknown device: %v", err)
	}
	for name, says := range map[string]string{"wlan0": "blocked (rfkill)", "wlan1": "blocked (rfkill)", "wlan2": "powered off"} {
		d, _ := s.Device(name)
		if _, err := d.Ready(); !errors.Is(err, wifi.ErrDeviceOff) || !strings.Contains(err.Error(), says) {
			t.Errorf("%s: %v", name, err)
		}
	}

	for _, name := range []string{"wlan0", "wlan2"} {
		d, _ := c.Snapshot().Device(name)
		if err := c.PowerOn(ctx, d.Path); err != nil {
			t.Fatalf("PowerOn %s: %v", name, err)
		}
		d, _ = c.Snapshot().Device(name)
		if _, err := d.Ready(); err != nil || !d.AdapterPowered || !d.Powered {
			t.Fatalf("%s after PowerOn: %+v %v", name, d, err)
		}
		if err := c.Scan(ctx, d.Path); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := c.Snapshot().Device("wlan1")
	wantError(t, c.PowerOn(ctx, d.Path), "NotAvailable", "hardware switch")

	d, _ = c.Snapshot().Device("wlan0")
	if err := c.PowerOff(ctx, d.Path); err != nil {
		t.Fatal(err)
	}
	if d, _ := c.Snapshot().Device("wlan0"); d.Station != nil || d.Powered {
		t.Fatalf("wlan0 after PowerOff: %+v", d)
	}
}

func TestNewerIwdProperties(t *testing.T) {
	sc := oneAdapter(home)
	sc.NewerProperties = true
	sc.Version = "3.6"
	_, c := setup(t, sc)
	ctx := testContext(t)
	d, n := network(t, c, "Home")
	if err := c.Connect(ctx, n.Path, answer("correct horse battery", new([]wifi.PassphraseRequest))); err != nil {
		t.Fatal(err)
	}
	if err := c.Scan(ctx, d.Path); err != nil {
		t.Fatal(err)
	}
	s := waitFor(t, c, "connected", func(s wifi.Snapshot) bool {
		_, st := station(t, s, "wlan0")
		_, ok := st.Connected()
		return ok
	})
	if s.Daemon.Version != "3.6" || len(s.Devices) != 1 || len(s.Adapters) != 1 {
		t.Fatalf("snapshot: %+v", s)
	}
}

func TestAgentAnswersOnlyIwd(t *testing.T) {
	addr := fakeiwd.StartBus(t)
	fakeiwd.Start(t, addr, oneAdapter(home))
	c := dial(t, addr)
	waitFor(t, c, "agent", func(s wifi.Snapshot) bool { return s.Agent })

	// Another program on the bus tries to fish a passphrase.
	other, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var names []string
	if err := other.BusObject().Call("org.freedesktop.DBus.ListNames", 0).Store(&names); err != nil {
		t.Fatal(err)
	}
	var pass string
	for _, name := range names {
		if !strings.HasPrefix(name, ":") || name == other.Names()[0] {
			continue
		}
		err := other.Object(name, wifi.AgentPath).Call("net.connman.iwd.Agent.RequestPassphrase", 0,
			dbus.ObjectPath("/net/connman/iwd/0/4/486f6d65_psk")).Store(&pass)
		var de dbus.Error
		if errors.As(err, &de) && de.Name == "net.connman.iwd.Agent.Error.Canceled" {
			return // refused, as it must be
		}
	}
	t.Fatal("no client agent refused a request from a stranger")
}

// BenchmarkSnapshot measures what the console pays on each event: a
// snapshot of a station with 60 networks in range.
func BenchmarkSnapshot(b *testing.B) {
	sc := oneAdapter()
	for i := range 60 {
		sc.Networks = append(sc.Networks, fakeiwd.Network{SSID: fmt.Sprintf("net%02d", i), Security: "psk", Signal: -40 - i})
	}
	addr := fakeiwd.StartBus(b)
	fakeiwd.Start(b, addr, sc)
	c, err := wifi.Dial(context.Background(), addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if d, err := c.Snapshot().Device(""); err != nil || d.Station == nil || len(d.Station.Networks) != 60 {
		b.Fatalf("setup: %+v %v", d, err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Snapshot()
	}
}
