package fakeiwd

import (
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// Names on the bus, as iwd 2.3 uses them.
const (
	busName    = "net.connman.iwd"
	daemonPath = dbus.ObjectPath("/net/connman/iwd")

	ifObjectManager = "org.freedesktop.DBus.ObjectManager"
	ifProperties    = "org.freedesktop.DBus.Properties"
	ifDaemon        = "net.connman.iwd.Daemon"
	ifAgentManager  = "net.connman.iwd.AgentManager"
	ifP2PService    = "net.connman.iwd.p2p.ServiceManager"
	ifAdapter       = "net.connman.iwd.Adapter"
	ifDevice        = "net.connman.iwd.Device"
	ifStation       = "net.connman.iwd.Station"
	ifDiagnostic    = "net.connman.iwd.StationDiagnostic"
	ifWSC           = "net.connman.iwd.SimpleConfiguration"
	ifNetwork       = "net.connman.iwd.Network"
	ifKnownNetwork  = "net.connman.iwd.KnownNetwork"
	ifBSS           = "net.connman.iwd.BasicServiceSet"
	ifAgent         = "net.connman.iwd.Agent"
	ifSignalAgent   = "net.connman.iwd.SignalLevelAgent"
)

// iwdAgentTimeout is how long iwd 2.3 waits for an agent's answer.
const iwdAgentTimeout = 120 * time.Second

// Connection is what the OnConnect hook learns about a new connection.
type Connection struct {
	Interface string // the station's interface, e.g. "wlan0"
	SSID      string
	Security  string
}

// Agent is a registered agent, as the fake sees it.
type Agent struct {
	Owner string // the unique bus name that registered it
	Path  dbus.ObjectPath
}

// Fake is a fake iwd on a bus. All methods are safe for concurrent use.
type Fake struct {
	addr string

	mu       sync.Mutex
	conn     *dbus.Conn
	running  bool // handlers accept calls
	owned    bool // we hold net.connman.iwd, so signals are seen
	closed   bool
	stop     chan struct{} // closed by Stop
	inflight sync.WaitGroup

	sc       Scenario
	air      []Network
	adapters []*adapter
	known    []*known

	// paths maps every live object path to its object; exported is what
	// clients have been told (GetManagedObjects, InterfacesAdded).
	paths    map[dbus.ObjectPath]any
	exported map[dbus.ObjectPath][]string

	agents       []*agentReg
	requests     []*agentRequest
	agentTimeout time.Duration
	onConnect    func(Connection)
	scanHold     chan struct{}
	changed      chan struct{} // closed and replaced when agents change
}

type rootObject struct{}
type daemonObject struct{}

type adapter struct {
	id         int
	path       dbus.ObjectPath
	cfg        Adapter
	soft, hard bool // rfkill blocks
	dev        *device
}

type device struct {
	path    dbus.ObjectPath
	name    string
	address string
	powered bool // as last set through Device.Powered
	mode    string
	adapter *adapter
	st      *station // nil when the Station interface is absent
}

func (d *device) on() bool { return d.powered && !d.adapter.soft && !d.adapter.hard }

type station struct {
	dev           *device
	state         string
	scanning      bool
	scanPending   bool
	scanned       bool
	connected     *network // Station.ConnectedNetwork
	networks      map[dbus.ObjectPath]*network
	hiddenPending bool
	autoconnect   bool
	levelAgent    *signalAgent
}

type signalAgent struct {
	owner  string
	path   dbus.ObjectPath
	levels []int16
}

type network struct {
	path         dbus.ObjectPath
	st           *station
	cfg          Network
	connected    bool // Network.Connected
	agentPending bool
	askNext      bool // the stored passphrase failed: ask the agent
	bss          *bss
}

type bss struct {
	path    dbus.ObjectPath
	address string
}

type known struct {
	path          dbus.ObjectPath
	cfg           Known
	autoConnect   bool
	lastConnected time.Time
}

// New starts a fake iwd on the bus at addr, set up as the scenario says.
func New(addr string, sc Scenario) (*Fake, error) {
	f := &Fake{
		addr:         addr,
		sc:           sc,
		air:          slices.Clone(sc.Networks),
		agentTimeout: sc.AgentTimeout,
		changed:      make(chan struct{}),
	}
	if f.agentTimeout == 0 {
		f.agentTimeout = iwdAgentTimeout
	}
	for i, a := range sc.Adapters {
		if a.Name == "" {
			a.Name = fmt.Sprintf("phy%d", i)
		}
		if a.Device == "" {
			a.Device = fmt.Sprintf("wlan%d", i)
		}
		if a.Address == "" {
			a.Address = fmt.Sprintf("02:00:00:00:%02x:00", i)
		}
		ad := &adapter{
			id:   i,
			path: dbus.ObjectPath(fmt.Sprintf("%s/%d", daemonPath, i)),
			cfg:  a, soft: a.SoftBlocked, hard: a.HardBlocked,
		}
		// Paths are <wiphy id>/<ifindex>, as in iwd 2.3.
		ad.dev = &device{
			path: dbus.ObjectPath(fmt.Sprintf("%s/%d", ad.path, 4+i)),
			name: a.Device, address: a.Address,
			powered: !a.DeviceOff, mode: "station", adapter: ad,
		}
		f.adapters = append(f.adapters, ad)
	}
	for _, k := range sc.Known {
		f.known = append(f.known, &known{
			path: knownPath(k.SSID, k.Security), cfg: k,
			autoConnect: !k.NoAutoConnect, lastConnected: k.LastConnected,
		})
	}
	if err := f.start(); err != nil {
		return nil, err
	}
	return f, nil
}

// Start is New for tests: it fails the test on error and closes the fake
// when the test ends.
func Start(t testing.TB, addr string, sc Scenario) *Fake {
	t.Helper()
	f, err := New(addr, sc)
	if err != nil {
		t.Fatalf("start fake iwd: %v", err)
	}
	t.Cleanup(f.Close)
	return f
}

func knownPath(ssid, security string) dbus.ObjectPath {
	return daemonPath + "/" + dbus.ObjectPath(hex.EncodeToString([]byte(ssid))+"_"+security)
}

func networkPath(dev *device, ssid, security string) dbus.ObjectPath {
	return dev.path + "/" + dbus.ObjectPath(hex.EncodeToString([]byte(ssid))+"_"+security)
}

// start connects to the bus, exports the objects and takes the name, like
// iwd starting up. Known networks and adapter power survive; stations
// start disconnected.
func (f *Fake) start() error {
	conn, err := dbus.Connect(f.addr, dbus.WithSignalHandler(dbus.NewSequentialSignalHandler()))
	if err != nil {
		return fmt.Errorf("connect to bus %s: %w", f.addr, err)
	}
	if err := f.export(conn); err != nil {
		conn.Close()
		return err
	}
	// Agents go away with their bus connection.
	if err := conn.AddMatchSignal(
		dbus.WithMatchSender("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
	); err != nil {
		conn.Close()
		return err
	}
	sigs := make(chan *dbus.Signal, 16)
	conn.Signal(sigs)
	go f.watchBus(sigs)

	f.mu.Lock()
	f.conn, f.running, f.owned = conn, true, false
	f.stop = make(chan struct{})
	f.paths = map[dbus.ObjectPath]any{"/": rootObject{}, daemonPath: daemonObject{}}
	f.exported = map[dbus.ObjectPath][]string{}
	f.sync("/")
	f.sync(daemonPath)
	for _, ad := range f.adapters {
		f.paths[ad.path] = ad
		f.sync(ad.path)
		f.paths[ad.dev.path] = ad.dev
		ad.dev.st = nil
		f.updateDevice(ad.dev)
	}
	for _, k := range f.known {
		f.paths[k.path] = k
		f.sync(k.path)
	}
	f.mu.Unlock()

	reply, err := conn.RequestName(busName, dbus.NameFlagDoNotQueue)
	if err == nil && reply != dbus.RequestNameReplyPrimaryOwner {
		err = fmt.Errorf("%s is already owned on the bus", busName)
	}
	if err != nil {
		f.mu.Lock()
		f.running, f.conn = false, nil
		f.mu.Unlock()
		conn.Close()
		return err
	}
	f.mu.Lock()
	f.owned = true
	f.mu.Unlock()
	return nil
}

// Stop makes iwd leave the bus as on SIGTERM: pending agent requests get
// Cancel("shutdown") and their Connect calls fail with Aborted, every agent
// gets Release, then the name is released (NameOwnerChanged fires) and the
// connection closed.
func (f *Fake) Stop() {
	f.mu.Lock()
	if !f.running {
		f.mu.Unlock()
		return
	}
	f.running = false
	conn := f.conn
	close(f.stop)
	for _, r := range f.requests {
		r.cancel("shutdown")
	}
	agents := slices.Clone(f.agents)
	f.mu.Unlock()

	f.inflight.Wait()
	for _, a := range agents {
		conn.Object(a.owner, a.path).Go(ifAgent+".Release", dbus.FlagNoReplyExpected, nil)
	}
	conn.ReleaseName(busName)
	conn.Close()

	f.mu.Lock()
	f.conn, f.owned = nil, false
	f.agents, f.requests = nil, nil
	for _, ad := range f.adapters {
		ad.dev.st = nil
	}
	f.notify()
	f.mu.Unlock()
}

// Restart brings a stopped iwd back: a new bus connection takes the name
// (NameOwnerChanged fires) and exports the objects afresh. Agents must
// register again.
func (f *Fake) Restart() error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return fmt.Errorf("fake iwd is closed")
	}
	running := f.running
	f.mu.Unlock()
	if running {
		f.Stop()
	}
	return f.start()
}

// Close stops the fake for good.
func (f *Fake) Close() {
	f.Stop()
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
}

// OnConnect sets a hook run (in its own goroutine, like DHCP starting after
// association) each time a station becomes connected.
func (f *Fake) OnConnect(hook func(Connection)) {
	f.mu.Lock()
	f.onConnect = hook
	f.mu.Unlock()
}

// SetAgentTimeout changes how long the fake waits for an agent's answer
// before it sends Cancel("timed-out").
func (f *Fake) SetAgentTimeout(d time.Duration) {
	f.mu.Lock()
	f.agentTimeout = d
	f.mu.Unlock()
}

// HoldScans keeps scans running (Scanning true) until release is called,
// so a test can look at a scan in progress.
func (f *Fake) HoldScans() (release func()) {
	hold := make(chan struct{})
	f.mu.Lock()
	f.scanHold = hold
	f.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			f.mu.Lock()
			if f.scanHold == hold {
				f.scanHold = nil
			}
			f.mu.Unlock()
			close(hold)
		})
	}
}

// AddNetwork brings an access point into range; scans find it from then on.
func (f *Fake) AddNetwork(n Network) {
	f.mu.Lock()
	f.air = append(f.air, n)
	f.mu.Unlock()
}

// RemoveNetwork takes every access point with this SSID out of range: a
// passphrase request for it is cancelled with "out-of-range", a connection
// to it drops, and stations lose it at once.
func (f *Fake) RemoveNetwork(ssid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.air = slices.DeleteFunc(f.air, func(n Network) bool { return n.SSID == ssid })
	for _, r := range f.requests {
		if r.network.cfg.SSID == ssid {
			r.cancel("out-of-range")
		}
	}
	for _, ad := range f.adapters {
		st := ad.dev.st
		if st == nil {
			continue
		}
		for _, n := range st.sortedNetworks() {
			if n.cfg.SSID != ssid {
				continue
			}
			if st.connected == n {
				f.dropConnection(st)
			}
			f.removeNetwork(n)
		}
	}
}

// Agents lists the registered agents in registration order.
func (f *Fake) Agents() []Agent {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Agent
	for _, a := range f.agents {
		out = append(out, Agent{Owner: a.owner, Path: a.path})
	}
	return out
}

// WaitForAgents waits until n agents are registered.
func (f *Fake) WaitForAgents(ctx context.Context, n int) error {
	for {
		f.mu.Lock()
		have, changed := len(f.agents), f.changed
		f.mu.Unlock()
		if have == n {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %d agents (have %d): %w", n, have, ctx.Err())
		}
	}
}

// KnownSSIDs lists the stored profiles as "SSID/security".
func (f *Fake) KnownSSIDs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, k := range f.known {
		out = append(out, k.cfg.SSID+"/"+k.cfg.Security)
	}
	return out
}

// notify wakes WaitForAgents; f.mu must be held.
func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *Fake) watchBus(sigs <-chan *dbus.Signal) {
	for sig := range sigs {
		if sig.Name != "org.freedesktop.DBus.NameOwnerChanged" || len(sig.Body) != 3 {
			continue
		}
		name, _ := sig.Body[0].(string)
		newOwner, _ := sig.Body[2].(string)
		if newOwner == "" {
			f.peerGone(name)
		}
	}
}

// peerGone forgets the agents of a connection that left the bus.
func (f *Fake) peerGone(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.agents)
	f.agents = slices.DeleteFunc(f.agents, func(a *agentReg) bool { return a.owner == name })
	if len(f.agents) != n {
		f.notify()
	}
	for _, ad := range f.adapters {
		if st := ad.dev.st; st != nil && st.levelAgent != nil && st.levelAgent.owner == name {
			st.levelAgent = nil
		}
	}
}

// updateDevice adds or removes the Station interface to match the power
// state and mode, as iwd does when a device goes up or down.
func (f *Fake) updateDevice(d *device) {
	want := d.on() && d.mode == "station"
	switch {
	case want && d.st == nil:
		d.st = &station{dev: d, state: "disconnected", autoconnect: true, networks: map[dbus.ObjectPath]*network{}}
		f.sync(d.path) // the Station interface comes before its networks
		if f.sc.InitialScan {
			f.applyScan(d.st)
		}
	case !want && d.st != nil:
		st := d.st
		if st.connected != nil {
			f.dropConnection(st)
		}
		for _, n := range st.sortedNetworks() {
			f.removeNetwork(n)
		}
		d.st = nil
	}
	f.sync(d.path)
}

// knownFor finds the stored profile of a network.
func (f *Fake) knownFor(ssid, security string) *known {
	for _, k := range f.known {
		if k.cfg.SSID == ssid && k.cfg.Security == security {
			return k
		}
	}
	return nil
}

// applyScan replaces a station's networks with what is in range now:
// broadcast networks, and hidden ones iwd knows (it probes for those).
func (f *Fake) applyScan(st *station) {
	st.scanned = true
	seen := map[dbus.ObjectPath]bool{}
	for _, cfg := range f.air {
		if cfg.Hidden {
			k := f.knownFor(cfg.SSID, cfg.Security)
			if k == nil || !k.cfg.Hidden {
				continue
			}
		}
		path := networkPath(st.dev, cfg.SSID, cfg.Security)
		if n, ok := st.networks[path]; ok {
			if !seen[path] || cfg.Signal > n.cfg.Signal {
				n.cfg = cfg
			}
		} else {
			f.addNetwork(st, cfg)
		}
		seen[path] = true
	}
	for _, n := range st.sortedNetworks() {
		if !seen[n.path] && st.connected != n && !n.agentPending {
			f.removeNetwork(n)
		}
	}
}

func (f *Fake) addNetwork(st *station, cfg Network) *network {
	n := &network{path: networkPath(st.dev, cfg.SSID, cfg.Security), st: st, cfg: cfg}
	st.networks[n.path] = n
	f.paths[n.path] = n
	f.sync(n.path)
	if f.sc.NewerProperties {
		n.bss = &bss{address: bssid(cfg)}
		n.bss.path = n.path + "/" + dbus.ObjectPath(hex.EncodeToString([]byte(n.bss.address)))
		f.paths[n.bss.path] = n.bss
		f.sync(n.bss.path)
	}
	return n
}

func (f *Fake) removeNetwork(n *network) {
	if n.bss != nil {
		delete(f.paths, n.bss.path)
		f.sync(n.bss.path)
	}
	delete(n.st.networks, n.path)
	delete(f.paths, n.path)
	f.sync(n.path)
}

// sortedNetworks lists a station's networks in a stable order.
func (st *station) sortedNetworks() []*network {
	var out []*network
	for _, n := range st.networks {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b *network) int { return cmp.Compare(a.path, b.path) })
	return out
}

func bssid(cfg Network) string {
	if cfg.BSSID != "" {
		return cfg.BSSID
	}
	// A stable, locally administered address derived from the SSID.
	b := []byte{0x02, 0, 0, 0, 0, 0}
	for i, c := range []byte(cfg.SSID + cfg.Security) {
		b[1+i%5] ^= c
	}
	return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5])
}

// dropConnection ends the station's connection (or attempt) and announces
// it the way iwd does: Network.Connected false, State "disconnected" and
// ConnectedNetwork in the invalidated list.
func (f *Fake) dropConnection(st *station) {
	n := st.connected
	if n == nil {
		return
	}
	if st.state == "connected" {
		st.state = "disconnecting"
		f.emitChanged(st.dev.path, ifStation, "State")
	}
	st.connected = nil
	if n.connected {
		n.connected = false
		f.emitChanged(n.path, ifNetwork, "Connected")
	}
	st.state = "disconnected"
	f.sync(st.dev.path) // StationDiagnostic goes away
	names := []string{"State", "ConnectedNetwork"}
	if f.sc.NewerProperties {
		names = append(names, "ConnectedAccessPoint")
	}
	f.emitChanged(st.dev.path, ifStation, names...)
}
