package main

// The wifi command runs here as a real process against fakeiwd, a fake of
// iwd 2.3's D-Bus interface on a real private dbus-daemon: no wireless
// hardware or mac80211_hwsim exists where the tests run.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nix-community/installer-console/internal/netnstest"
	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/wifi/fakeiwd"
)

// wifiWorld is a private bus with a fake iwd on it.
type wifiWorld struct {
	bus  string
	fake *fakeiwd.Fake
}

func startWiFiWorld(t *testing.T, sc fakeiwd.Scenario) wifiWorld {
	t.Helper()
	bus := fakeiwd.StartBus(t)
	return wifiWorld{bus, fakeiwd.Start(t, bus, sc)}
}

type wifiRun struct {
	stdout, stderr string
	code           int
}

// wifiCmd runs `installer-console wifi ARGS...` against the world's bus,
// inside the named network namespace when ns is not "".
func (w wifiWorld) run(t *testing.T, ns, stdin string, args ...string) wifiRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	argv := append([]string{binaryPath, "wifi", "--bus", w.bus}, args...)
	if ns != "" {
		argv = append([]string{"ip", "netns", "exec", ns}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return wifiRun{stdout.String(), stderr.String(), code}
}

func (r wifiRun) ok(t *testing.T) wifiRun {
	t.Helper()
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	return r
}

// fails checks the exit status and the one-line message on stderr.
func (r wifiRun) fails(t *testing.T, message string) {
	t.Helper()
	if r.code != 1 || !strings.Contains(r.stderr, "installer-console: "+message) {
		t.Fatalf("exit %d, stderr %q; want exit 1 saying %q", r.code, r.stderr, message)
	}
}

func writePassphrase(t *testing.T, pass string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "psk")
	if err := os.WriteFile(p, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func decode[T any](t *testing.T, r wifiRun) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.ok(t).stdout), &v); err != nil {
		t.Fatalf("--json output %q: %v", r.stdout, err)
	}
	return v
}

type jsonNetworkList struct {
	Device   string `json:"device"`
	State    string `json:"state"`
	Networks []struct {
		SSID      string `json:"ssid"`
		Security  string `json:"security"`
		SignalDBm int    `json:"signal_dbm"`
		Bars      int    `json:"bars"`
		Known     bool   `json:"known"`
		Connected bool   `json:"connected"`
	} `json:"networks"`
	Hidden []struct {
		Security string `json:"security"`
	} `json:"hidden_access_points"`
}

func ssids(l jsonNetworkList) string {
	var s []string
	for _, n := range l.Networks {
		s = append(s, n.SSID)
	}
	return strings.Join(s, ",")
}

func TestWiFiListDevicesKnown(t *testing.T) {
	w := startWiFiWorld(t, fakeiwd.Demo())

	out := w.run(t, "", "", "devices").ok(t).stdout
	if !strings.Contains(out, "wlan0   phy0     on     station  disconnected  02:00:00:00:01:00") {
		t.Errorf("devices:\n%s", out)
	}
	devs := decode[struct {
		Daemon struct {
			Version string `json:"version"`
		} `json:"daemon"`
		Devices []struct {
			Name    string `json:"name"`
			Powered bool   `json:"powered"`
			Station *struct {
				State string `json:"state"`
			} `json:"station"`
		} `json:"devices"`
	}](t, w.run(t, "", "", "devices", "--json"))
	if devs.Daemon.Version != "2.3" || len(devs.Devices) != 1 || devs.Devices[0].Name != "wlan0" || devs.Devices[0].Station.State != "disconnected" {
		t.Errorf("devices --json: %+v", devs)
	}

	out = w.run(t, "", "", "list").ok(t).stdout
	for _, want := range []string{
		"Cafe       open      ***     -66 dBm  known",
		"Home       psk       ****    -48 dBm",
		"Neighbour  psk       *       -79 dBm",
		"1 hidden network(s) in range; connect with: installer-console wifi hidden NAME",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	l := decode[jsonNetworkList](t, w.run(t, "", "", "list", "--json"))
	if ssids(l) != "Cafe,Home,Office,Neighbour" || l.Networks[1].Bars != 4 || l.Networks[1].SignalDBm != -48 || !l.Networks[0].Known || len(l.Hidden) != 1 {
		t.Errorf("list --json: %+v", l)
	}

	out = w.run(t, "", "", "known").ok(t).stdout
	if !strings.Contains(out, "Cafe     open      no      on           -") {
		t.Errorf("known:\n%s", out)
	}
}

func TestWiFiScan(t *testing.T) {
	sc := fakeiwd.Demo()
	sc.InitialScan = false
	w := startWiFiWorld(t, sc)
	if out := w.run(t, "", "", "list").ok(t).stdout; !strings.Contains(out, "No networks in range of wlan0 (scan with: installer-console wifi scan).") {
		t.Errorf("list before a scan:\n%s", out)
	}
	l := decode[jsonNetworkList](t, w.run(t, "", "", "scan", "--json"))
	if ssids(l) != "Cafe,Home,Office,Neighbour" || l.Device != "wlan0" {
		t.Errorf("scan --json: %+v", l)
	}
}

// wifiNamespace makes a namespace with a stand-in wlan0 (a veth) and
// makes the fake play DHCP in it when asked.
func wifiNamespace(t *testing.T, w wifiWorld, dhcp bool) *netnstest.NS {
	ns := netnstest.New(t)
	ns.IP("link", "add", "wlan0", "type", "veth", "peer", "name", "wlan0p")
	ns.IP("link", "set", "wlan0", "up")
	if dhcp {
		w.fake.OnConnect(func(c fakeiwd.Connection) {
			// Errors show up as the CLI not seeing the address.
			exec.Command("ip", "netns", "exec", ns.Name, "ip", "addr", "add", "192.0.2.10/24", "dev", c.Interface).Run()
		})
	}
	return ns
}

func TestWiFiConnectReportsAddress(t *testing.T) {
	w := startWiFiWorld(t, fakeiwd.Demo())
	ns := wifiNamespace(t, w, true)
	psk := writePassphrase(t, "correct horse battery")

	r := w.run(t, ns.Name, "", "connect", "Home", "--passphrase-file", psk).ok(t)
	want := "Connected to \"Home\" on wlan0.\nwlan0 has the address 192.0.2.10/24.\n"
	if r.stdout != want {
		t.Fatalf("connect printed %q, want %q", r.stdout, want)
	}
	if strings.Contains(r.stdout+r.stderr, "correct horse") {
		t.Fatal("the passphrase was printed")
	}
	// Known now: no passphrase needed; the address is there already.
	res := decode[connectResult](t, w.run(t, ns.Name, "", "connect", "Home", "--json"))
	if res != (connectResult{Device: "wlan0", SSID: "Home", Connected: true, Address: "192.0.2.10/24"}) {
		t.Fatalf("connect --json: %+v", res)
	}
	l := decode[jsonNetworkList](t, w.run(t, "", "", "list", "--json"))
	if !l.Networks[0].Connected || l.Networks[0].SSID != "Home" || l.State != "connected" {
		t.Fatalf("list after connect: %+v", l)
	}

	out := w.run(t, "", "", "disconnect").ok(t).stdout
	if out != "Disconnected wlan0.\n" {
		t.Fatalf("disconnect: %q", out)
	}
}

func TestWiFiConnectWithoutDHCP(t *testing.T) {
	w := startWiFiWorld(t, fakeiwd.Demo())
	ns := wifiNamespace(t, w, false)
	r := w.run(t, ns.Name, "", "connect", "Cafe", "--address-timeout", "300ms")
	r.fails(t, `connected to "Cafe", but wlan0 got no IP address within 300ms: DHCP gave no address`)
	if r.stdout != "Connected to \"Cafe\" on wlan0.\n" {
		t.Fatalf("stdout: %q", r.stdout)
	}
	// --json still tells a script that the connection stands.
	r = w.run(t, ns.Name, "", "connect", "Cafe", "--json", "--address-timeout", "100ms")
	var res connectResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 1 || !res.Connected || res.Address != "" {
		t.Fatalf("connect --json without an address: exit %d, %q (%v)", r.code, r.stdout, err)
	}
}

func TestWiFiConnectFailures(t *testing.T) {
	w := startWiFiWorld(t, fakeiwd.Demo())

	w.run(t, "", "", "connect", "Home", "--passphrase-file", writePassphrase(t, "battery horse correct"), "--address-timeout", "0").
		fails(t, `connecting to "Home": wrong passphrase, or the network refused us`)
	short := writePassphrase(t, "short")
	w.run(t, "", "", "connect", "Home", "--passphrase-file", short).
		fails(t, "passphrase file "+short+": the passphrase is too short: it has 5 characters and needs 8 to 63")
	w.run(t, "", "", "connect", "Home", "--passphrase-file", writePassphrase(t, strings.Repeat("ab", 32)), "--address-timeout", "0").
		fails(t, `connecting to "Home": iwd refused the passphrase's format: it takes 8 to 63 printable ASCII characters`)
	w.run(t, "", "", "connect", "Home").
		fails(t, `connecting to "Home": the network needs a passphrase, but standard input is not a terminal to ask on; use --passphrase-file FILE`)
	w.run(t, "", "", "connect", "Home", "correct horse battery").
		fails(t, "connect takes the network name only; the passphrase is asked for, or read with --passphrase-file")
	w.run(t, "", "", "connect", "Office").
		fails(t, `connecting to "Office": this enterprise (802.1X) network needs a provisioning file`)
	w.run(t, "", "", "connect", "Nowhere").
		fails(t, `no network named "Nowhere" is in range of wlan0; if it is hidden, use: installer-console wifi hidden "Nowhere"`)

	// Hidden networks.
	w.run(t, "", "", "hidden", "Home").
		fails(t, `connecting to hidden network "Home": this network is not hidden: it broadcasts its name, so connect to it from the list`)
	w.run(t, "", "", "hidden", "Nowhere").
		fails(t, `connecting to hidden network "Nowhere": no hidden network with that name was found: check the spelling, and that it is in range`)
	w.run(t, "", "", "hidden", "Cafe").
		fails(t, `connecting to hidden network "Cafe": iwd already knows a network with this name`)
	w.run(t, "", "", "hidden", strings.Repeat("x", 33)).
		fails(t, "the network name is 33 bytes long; a WiFi network name has at most 32 bytes")
	r := w.run(t, "", "hidden lab passphrase\n", "hidden", "HiddenLab", "--passphrase-file", "-", "--address-timeout", "0").ok(t)
	if r.stdout != "Connected to \"HiddenLab\" on wlan0.\n" {
		t.Fatalf("hidden: %q", r.stdout)
	}
	w.run(t, "", "", "hidden", "HiddenLab").
		fails(t, `connecting to hidden network "HiddenLab": iwd already knows a network with this name`)
}

func TestWiFiKnownNetworks(t *testing.T) {
	w := startWiFiWorld(t, fakeiwd.Demo())

	if out := w.run(t, "", "", "autoconnect", "Cafe", "off").ok(t).stdout; out != "Autoconnect of \"Cafe\" is off.\n" {
		t.Fatalf("autoconnect: %q", out)
	}
	type known struct {
		SSID        string `json:"ssid"`
		Security    string `json:"security"`
		Hidden      bool   `json:"hidden"`
		AutoConnect bool   `json:"autoconnect"`
	}
	if k := decode[[]known](t, w.run(t, "", "", "known", "--json")); len(k) != 1 || k[0] != (known{"Cafe", "open", false, false}) {
		t.Fatalf("known --json: %+v", k)
	}
	w.run(t, "", "", "autoconnect", "Cafe", "maybe").fails(t, `autoconnect must be on or off, not "maybe"`)
	w.run(t, "", "", "autoconnect", "Home", "on").fails(t, `iwd knows no network named "Home"`)
	decode[map[string]any](t, w.run(t, "", "", "autoconnect", "Cafe", "on", "--json"))

	if out := w.run(t, "", "", "forget", "Cafe").ok(t).stdout; out != "Forgot \"Cafe\".\n" {
		t.Fatalf("forget: %q", out)
	}
	if out := w.run(t, "", "", "known").ok(t).stdout; out != "iwd knows no networks yet.\n" {
		t.Fatalf("known after forget: %q", out)
	}
	if k := decode[[]known](t, w.run(t, "", "", "known", "--json")); len(k) != 0 {
		t.Fatalf("known --json after forget: %+v", k)
	}
	w.run(t, "", "", "forget", "Cafe").fails(t, `iwd knows no network named "Cafe"`)
}

func TestWiFiWithoutIwdOrAdapter(t *testing.T) {
	bus := fakeiwd.StartBus(t)
	// The standard variable works as well as --bus.
	cmd := exec.Command(binaryPath, "wifi", "devices")
	cmd.Env = append(os.Environ(), "DBUS_SYSTEM_BUS_ADDRESS="+bus)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err == nil || stderr.String() != "installer-console: iwd is not running (no net.connman.iwd on the system bus)\n" {
		t.Fatalf("without iwd: %v, %q", err, stderr.String())
	}

	w := wifiWorld{bus: bus, fake: fakeiwd.Start(t, bus, fakeiwd.Scenario{})}
	for _, args := range [][]string{{"devices"}, {"list"}, {"scan", "--json"}, {"connect", "Home"}} {
		w.run(t, "", "", args...).fails(t, "no WiFi adapter found")
	}
}

func TestWiFiSeveralDevicesAndPower(t *testing.T) {
	w := startWiFiWorld(t, fakeiwd.Scenario{
		InitialScan: true,
		Adapters: []fakeiwd.Adapter{
			{Name: "phy0", Device: "wlan0"},
			{Name: "phy1", Device: "wlan1", SoftBlocked: true},
		},
		Networks: []fakeiwd.Network{{SSID: "Cafe", Security: "open", Signal: -60}},
	})
	w.run(t, "", "", "list").fails(t, "there are several WiFi devices: wlan0, wlan1; choose one with --device")
	w.run(t, "", "", "list", "--device", "wlan1").
		fails(t, "the WiFi device is off: the radio of wlan1 is blocked (rfkill); switch it on with: installer-console wifi power on")
	if out := w.run(t, "", "", "devices").ok(t).stdout; !strings.Contains(out, "wlan1   phy1     off (radio blocked by rfkill)  station  -") {
		t.Fatalf("devices:\n%s", out)
	}
	if out := w.run(t, "", "", "power", "on", "--device", "wlan1").ok(t).stdout; out != "wlan1 is on.\n" {
		t.Fatalf("power on: %q", out)
	}
	l := decode[jsonNetworkList](t, w.run(t, "", "", "scan", "--device", "wlan1", "--json"))
	if l.Device != "wlan1" || ssids(l) != "Cafe" {
		t.Fatalf("scan on wlan1: %+v", l)
	}
	w.run(t, "", "", "list", "--device", "wlan7").fails(t, `no WiFi device named "wlan7" (there is wlan0, wlan1)`)
	w.run(t, "", "", "power", "up").fails(t, `power must be on or off, not "up"`)
}

// TestWiFiPassphrasePrompt types into the real prompt in a terminal
// (tmux) and checks that nothing is echoed, and that the prompt closes
// with a clear message when iwd gives up waiting.
func TestWiFiPassphrasePrompt(t *testing.T) {
	tmux := testtool.Require(t, "tmux", "tmux")
	w := startWiFiWorld(t, fakeiwd.Demo())
	dir := t.TempDir()
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g remain-on-exit on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock, "-f", conf}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command(tmux, "-S", sock, "kill-server").Run() })
	// A terminal's contents have no change event: poll, with a deadline.
	screen := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			s := tm("capture-pane", "-p", "-t", "wifi")
			if strings.Contains(s, want) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("terminal never showed %q:\n%s", want, s)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	command := func(args ...string) string {
		return fmt.Sprintf("%s wifi --bus '%s' %s; echo exit=$?", binaryPath, w.bus, strings.Join(args, " "))
	}

	tm("new-session", "-d", "-s", "wifi", "-x", "150", "-y", "20", command("connect", "Home", "--address-timeout", "0"))
	screen(`Passphrase for "Home":`)
	tm("send-keys", "-t", "wifi", "-l", "correct horse battery")
	tm("send-keys", "-t", "wifi", "Enter")
	s := screen("exit=0")
	if !strings.Contains(s, `Connected to "Home" on wlan0.`) || strings.Contains(s, "correct horse") {
		t.Fatalf("terminal after the prompt:\n%s", s)
	}

	// Nobody types: iwd's timeout closes the prompt.
	w.fake.SetAgentTimeout(500 * time.Millisecond)
	tm("respawn-pane", "-k", "-t", "wifi", command("connect", "Neighbour"))
	screen(`Passphrase for "Neighbour":`)
	s = screen("exit=1")
	if !strings.Contains(s, `connecting to "Neighbour": nobody entered the passphrase in time, so iwd gave up (timed-out)`) {
		t.Fatalf("terminal after the timeout:\n%s", s)
	}
}
