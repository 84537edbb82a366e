package fakeiwd_test

// These tests check the fake iwd itself against iwd 2.3's documented D-Bus
// interface, with plain godbus calls on a real private dbus-daemon. The fake
// stands in for iwd because no wireless hardware exists where tests run.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/nix-community/installer-console/wifi/fakeiwd"
)

const (
	iwd       = "net.connman.iwd"
	devPath   = dbus.ObjectPath("/net/connman/iwd/0/4")
	homePath  = dbus.ObjectPath("/net/connman/iwd/0/4/486f6d65_psk") // hex("Home")
	limit     = 15 * time.Second
	agentPath = dbus.ObjectPath("/test/agent")
)

var scenario = fakeiwd.Scenario{
	InitialScan: true,
	Adapters:    []fakeiwd.Adapter{{Name: "phy0", Device: "wlan0"}},
	Networks: []fakeiwd.Network{
		{SSID: "Home", Security: "psk", Signal: -55, Passphrase: "correct horse battery"},
		{SSID: "Cafe", Security: "open", Signal: -65},
	},
	Known: []fakeiwd.Known{{SSID: "Cafe", Security: "open"}},
}

// testAgent is a bare net.connman.iwd.Agent; with no passphrase it never
// answers.
type testAgent struct {
	pass     string
	asked    chan dbus.ObjectPath
	canceled chan string
	released chan struct{}
	quit     chan struct{}
}

func (a *testAgent) RequestPassphrase(network dbus.ObjectPath) (string, *dbus.Error) {
	a.asked <- network
	if a.pass == "" {
		<-a.quit
	}
	return a.pass, nil
}
func (a *testAgent) Cancel(reason string) *dbus.Error { a.canceled <- reason; return nil }
func (a *testAgent) Release() *dbus.Error             { a.released <- struct{}{}; return nil }

func connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr, dbus.WithSignalHandler(dbus.NewSequentialSignalHandler()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func withAgent(t *testing.T, addr, pass string) (*dbus.Conn, *testAgent) {
	t.Helper()
	conn := connect(t, addr)
	a := &testAgent{pass, make(chan dbus.ObjectPath, 4), make(chan string, 4), make(chan struct{}, 1), make(chan struct{})}
	t.Cleanup(func() { close(a.quit) })
	if err := conn.Export(a, agentPath, "net.connman.iwd.Agent"); err != nil {
		t.Fatal(err)
	}
	if err := conn.Object(iwd, "/net/connman/iwd").Call("net.connman.iwd.AgentManager.RegisterAgent", 0, agentPath).Err; err != nil {
		t.Fatal(err)
	}
	return conn, a
}

func errName(err error) string {
	var e dbus.Error
	if errors.As(err, &e) {
		return e.Name
	}
	return ""
}

func wantErr(t *testing.T, err error, name string) {
	t.Helper()
	if got := errName(err); got != name {
		t.Fatalf("got error %q (%v), want %s", got, err, name)
	}
}

func TestObjectTree(t *testing.T) {
	addr := fakeiwd.StartBus(t)
	fakeiwd.Start(t, addr, scenario)
	conn := connect(t, addr)

	var objects map[dbus.ObjectPath]map[string]map[string]dbus.Variant
	if err := conn.Object(iwd, "/").Call("org.freedesktop.DBus.ObjectManager.GetManagedObjects", 0).Store(&objects); err != nil {
		t.Fatal(err)
	}
	has := func(path dbus.ObjectPath, ifaces ...string) map[string]map[string]dbus.Variant {
		t.Helper()
		obj, ok := objects[path]
		if !ok {
			t.Fatalf("no object %s in %v", path, objects)
		}
		for _, i := range ifaces {
			if _, ok := obj[i]; !ok {
				t.Fatalf("%s lacks %s: %v", path, i, obj)
			}
		}
		return obj
	}
	has("/", "org.freedesktop.DBus.ObjectManager")
	has("/net/connman/iwd", "net.connman.iwd.Daemon", "net.connman.iwd.AgentManager", "net.connman.iwd.p2p.ServiceManager")
	adapter := has("/net/connman/iwd/0", "net.connman.iwd.Adapter")["net.connman.iwd.Adapter"]
	if _, ok := adapter["Model"]; ok {
		t.Error("unset optional Model is present")
	}
	dev := has(devPath, "net.connman.iwd.Device", "net.connman.iwd.Station")
	if dev["net.connman.iwd.Device"]["Name"].Value() != "wlan0" || dev["net.connman.iwd.Device"]["Adapter"].Value() != dbus.ObjectPath("/net/connman/iwd/0") {
		t.Errorf("device: %v", dev)
	}
	st := dev["net.connman.iwd.Station"]
	if _, ok := st["ConnectedNetwork"]; ok || st["State"].Value() != "disconnected" {
		t.Errorf("station: %v", st)
	}
	if _, ok := dev["net.connman.iwd.StationDiagnostic"]; ok {
		t.Error("StationDiagnostic while disconnected")
	}
	home := has(homePath, "net.connman.iwd.Network")["net.connman.iwd.Network"]
	if home["Name"].Value() != "Home" || home["Type"].Value() != "psk" || home["Device"].Value() != devPath {
		t.Errorf("network: %v", home)
	}
	if _, ok := home["KnownNetwork"]; ok {
		t.Error("unknown network has KnownNetwork")
	}
	known := has("/net/connman/iwd/43616665_open", "net.connman.iwd.KnownNetwork")["net.connman.iwd.KnownNetwork"]
	if known["AutoConnect"].Value() != true || known["Hidden"].Value() != false {
		t.Errorf("known network: %v", known)
	}
	cafe := has("/net/connman/iwd/0/4/43616665_open", "net.connman.iwd.Network")["net.connman.iwd.Network"]
	if cafe["KnownNetwork"].Value() != dbus.ObjectPath("/net/connman/iwd/43616665_open") {
		t.Errorf("known network's Network: %v", cafe)
	}

	var ordered []struct {
		Path   dbus.ObjectPath
		Signal int16
	}
	if err := conn.Object(iwd, devPath).Call("net.connman.iwd.Station.GetOrderedNetworks", 0).Store(&ordered); err != nil {
		t.Fatal(err)
	}
	// Known first, signal in 100·dBm.
	if len(ordered) != 2 || ordered[0].Signal != -6500 || ordered[1].Path != homePath || ordered[1].Signal != -5500 {
		t.Fatalf("ordered networks: %+v", ordered)
	}

	var info map[string]dbus.Variant
	if err := conn.Object(iwd, "/net/connman/iwd").Call("net.connman.iwd.Daemon.GetInfo", 0).Store(&info); err != nil {
		t.Fatal(err)
	}
	if info["Version"].Value() != "2.3" || info["NetworkConfigurationEnabled"].Value() != false {
		t.Errorf("GetInfo: %v", info)
	}
}

func TestErrorNames(t *testing.T) {
	addr := fakeiwd.StartBus(t)
	fakeiwd.Start(t, addr, scenario)
	conn := connect(t, addr)
	mgr := conn.Object(iwd, "/net/connman/iwd")

	// A psk network and nobody to ask.
	wantErr(t, conn.Object(iwd, homePath).Call("net.connman.iwd.Network.Connect", 0).Err, "net.connman.iwd.NoAgent")
	wantErr(t, mgr.Call("net.connman.iwd.AgentManager.UnregisterAgent", 0, agentPath).Err, "net.connman.iwd.NotFound")
	if err := mgr.Call("net.connman.iwd.AgentManager.RegisterAgent", 0, agentPath).Err; err != nil {
		t.Fatal(err)
	}
	// One agent per connection.
	wantErr(t, mgr.Call("net.connman.iwd.AgentManager.RegisterAgent", 0, dbus.ObjectPath("/other")).Err, "net.connman.iwd.AlreadyExists")
	wantErr(t, conn.Object(iwd, "/net/connman/iwd/9").Call("org.freedesktop.DBus.Properties.GetAll", 0, "net.connman.iwd.Adapter").Err,
		"org.freedesktop.DBus.Error.NotFound")
	wantErr(t, conn.Object(iwd, devPath).Call("org.freedesktop.DBus.Properties.Set", 0,
		"net.connman.iwd.Device", "Name", dbus.MakeVariant("eth0")).Err, "org.freedesktop.DBus.Error.InvalidArgs")
	wantErr(t, conn.Object(iwd, devPath).Call("org.freedesktop.DBus.Properties.Set", 0,
		"net.connman.iwd.Device", "Powered", dbus.MakeVariant("yes")).Err, "net.connman.iwd.InvalidArguments")
	wantErr(t, conn.Object(iwd, devPath).Call("net.connman.iwd.Station.ConnectHiddenNetwork", 0, strings.Repeat("x", 33)).Err,
		"net.connman.iwd.InvalidArguments")

}

func TestScanInProgress(t *testing.T) {
	addr := fakeiwd.StartBus(t)
	f := fakeiwd.Start(t, addr, scenario)
	conn := connect(t, addr)
	sigs := make(chan *dbus.Signal, 16)
	conn.Signal(sigs)
	if err := conn.AddMatchSignal(dbus.WithMatchSender(iwd), dbus.WithMatchObjectPath(devPath)); err != nil {
		t.Fatal(err)
	}
	st := conn.Object(iwd, devPath)
	release := f.HoldScans()
	if err := st.Call("net.connman.iwd.Station.Scan", 0).Err; err != nil {
		t.Fatal(err)
	}
	wantErr(t, st.Call("net.connman.iwd.Station.Scan", 0).Err, "net.connman.iwd.InProgress")
	release()
	// Scanning goes true, then false.
	var seen []bool
	for len(seen) < 2 {
		sig := <-sigs
		var iface string
		var changed map[string]dbus.Variant
		var invalidated []string
		if dbus.Store(sig.Body, &iface, &changed, &invalidated) != nil {
			continue
		}
		if v, ok := changed["Scanning"]; ok {
			seen = append(seen, v.Value().(bool))
		}
	}
	if !seen[0] || seen[1] {
		t.Fatalf("Scanning went %v", seen)
	}
}

func TestAgentRules(t *testing.T) {
	addr := fakeiwd.StartBus(t)
	f := fakeiwd.Start(t, addr, scenario)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()

	// The first agent registered serves connections that have none.
	_, first := withAgent(t, addr, "correct horse battery")
	second, secondAgent := withAgent(t, addr, "wrong wrong wrong")
	if err := f.WaitForAgents(ctx, 2); err != nil {
		t.Fatal(err)
	}
	bystander := connect(t, addr)
	if err := bystander.Object(iwd, homePath).Call("net.connman.iwd.Network.Connect", 0).Err; err != nil {
		t.Fatalf("Connect through the first agent: %v", err)
	}
	if got := <-first.asked; got != homePath {
		t.Fatalf("first agent asked for %s", got)
	}
	if err := bystander.Object(iwd, devPath).Call("net.connman.iwd.Station.Disconnect", 0).Err; err != nil {
		t.Fatal(err)
	}

	// The caller's own agent comes first. Watch the Station for the
	// invalidated ConnectedNetwork on the way.
	sigs := make(chan *dbus.Signal, 64)
	second.Signal(sigs)
	if err := second.AddMatchSignal(dbus.WithMatchSender(iwd), dbus.WithMatchObjectPath(devPath)); err != nil {
		t.Fatal(err)
	}
	// iwd stored the passphrase, so forget the profile to be asked again.
	if err := second.Object(iwd, "/net/connman/iwd/486f6d65_psk").Call("net.connman.iwd.KnownNetwork.Forget", 0).Err; err != nil {
		t.Fatal(err)
	}
	wantErr(t, second.Object(iwd, homePath).Call("net.connman.iwd.Network.Connect", 0).Err, "net.connman.iwd.Failed")
	if got := <-secondAgent.asked; got != homePath {
		t.Fatalf("second agent asked for %s", got)
	}
	invalidated := false
	for !invalidated {
		select {
		case sig := <-sigs:
			var iface string
			var changed map[string]dbus.Variant
			var inv []string
			if sig.Name == "org.freedesktop.DBus.Properties.PropertiesChanged" && dbus.Store(sig.Body, &iface, &changed, &inv) == nil {
				for _, p := range inv {
					invalidated = invalidated || (iface == "net.connman.iwd.Station" && p == "ConnectedNetwork")
				}
			}
		case <-ctx.Done():
			t.Fatal("ConnectedNetwork never invalidated after the failed attempt")
		}
	}

	// A silent agent: Cancel("timed-out") and Aborted.
	f.SetAgentTimeout(50 * time.Millisecond)
	silent, silentAgent := withAgent(t, addr, "")
	wantErr(t, silent.Object(iwd, homePath).Call("net.connman.iwd.Network.Connect", 0).Err, "net.connman.iwd.Aborted")
	if reason := <-silentAgent.canceled; reason != "timed-out" {
		t.Fatalf("Cancel(%q)", reason)
	}

	// The agent's connection leaves: iwd drops it.
	silent.Close()
	if err := f.WaitForAgents(ctx, 2); err != nil {
		t.Fatal(err)
	}

	// iwd shuts down: Release to every agent and NameOwnerChanged.
	owners := make(chan *dbus.Signal, 8)
	bystander.Signal(owners)
	if err := bystander.AddMatchSignal(dbus.WithMatchMember("NameOwnerChanged"), dbus.WithMatchArg(0, iwd)); err != nil {
		t.Fatal(err)
	}
	f.Stop()
	<-first.released
	<-secondAgent.released
	for sig := range owners {
		if sig.Name == "org.freedesktop.DBus.NameOwnerChanged" && sig.Body[2] == "" {
			break
		}
	}
	// And comes back under a new unique name.
	if err := f.Restart(); err != nil {
		t.Fatal(err)
	}
	for sig := range owners {
		if sig.Name == "org.freedesktop.DBus.NameOwnerChanged" && sig.Body[2] != "" {
			break
		}
	}
	if len(f.Agents()) != 0 {
		t.Fatalf("agents survived a restart: %v", f.Agents())
	}
}

// signalAgent is a bare net.connman.iwd.SignalLevelAgent.
type signalAgent struct{ levels chan byte }

func (a *signalAgent) Changed(device dbus.ObjectPath, level byte) *dbus.Error {
	a.levels <- level
	return nil
}
func (a *signalAgent) Release(device dbus.ObjectPath) *dbus.Error { return nil }

func TestSignalLevelAgent(t *testing.T) {
	addr := fakeiwd.StartBus(t)
	fakeiwd.Start(t, addr, scenario)
	conn, _ := withAgent(t, addr, "correct horse battery")
	a := &signalAgent{make(chan byte, 4)}
	if err := conn.Export(a, "/test/level", "net.connman.iwd.SignalLevelAgent"); err != nil {
		t.Fatal(err)
	}
	st := conn.Object(iwd, devPath)
	wantErr(t, st.Call("net.connman.iwd.Station.RegisterSignalLevelAgent", 0, dbus.ObjectPath("/test/level"), []int16{-60, -50}).Err,
		"net.connman.iwd.InvalidArguments") // not descending
	if err := st.Call("net.connman.iwd.Station.RegisterSignalLevelAgent", 0, dbus.ObjectPath("/test/level"), []int16{-50, -60, -70}).Err; err != nil {
		t.Fatal(err)
	}
	wantErr(t, st.Call("net.connman.iwd.Station.RegisterSignalLevelAgent", 0, dbus.ObjectPath("/test/level"), []int16{-50}).Err,
		"net.connman.iwd.AlreadyExists")
	// Connected at -55 dBm: level 1 (0 is the strongest).
	if err := conn.Object(iwd, homePath).Call("net.connman.iwd.Network.Connect", 0).Err; err != nil {
		t.Fatal(err)
	}
	if level := <-a.levels; level != 1 {
		t.Fatalf("level %d, want 1", level)
	}
	if err := st.Call("net.connman.iwd.Station.UnregisterSignalLevelAgent", 0, dbus.ObjectPath("/test/level")).Err; err != nil {
		t.Fatal(err)
	}
	wantErr(t, st.Call("net.connman.iwd.Station.UnregisterSignalLevelAgent", 0, dbus.ObjectPath("/test/level")).Err,
		"net.connman.iwd.NotFound")
}
