package wifi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
)

// callTimeout bounds the client's own calls to iwd (reading the tree,
// registering the agent), so a hung iwd cannot stall the model.
const callTimeout = 10 * time.Second

// settleTimeout bounds how long an action waits for its effect to show in
// the model after iwd has answered.
const settleTimeout = 5 * time.Second

// Client is a live connection to iwd. Its methods are safe for concurrent
// use.
type Client struct {
	// noActivation: never let a call start iwd (see WithoutActivation).
	noActivation bool
	conn         *dbus.Conn
	sigs         chan *dbus.Signal
	agent        *agent

	mu       sync.Mutex
	owner    string // iwd's unique bus name; "" while iwd is not on the bus
	objects  map[Path]map[string]map[string]dbus.Variant
	ordered  map[Path][]orderedNetwork // per station, from GetOrderedNetworks
	scans    map[Path]uint64           // finished scans per station
	daemon   DaemonInfo
	agentOK  bool
	agentErr error
	busErr   error
	changed  chan struct{} // closed and replaced on every change
	events   chan struct{}
	ended    bool          // events is closed
	done     chan struct{} // the signal loop has ended
	closing  bool
}

type orderedNetwork struct {
	Path   Path
	Signal int16 // 100·dBm
}

// DialOption changes how Dial connects.
type DialOption func(*Client)

// WithoutActivation keeps the client from starting iwd through D-Bus
// activation: a stopped iwd stays stopped (and shows as not running) until
// something else starts it. For previews that must not change the host.
func WithoutActivation() DialOption { return func(c *Client) { c.noActivation = true } }

// Dial connects to iwd on the bus at busAddress; "" means the system bus
// (DBUS_SYSTEM_BUS_ADDRESS, or the standard socket). The first call starts
// iwd through D-Bus activation where it is installed but not running,
// unless WithoutActivation is given.
//
// Dial fails only when the bus cannot be used. iwd not running is a state,
// not an error: Snapshot().Running is false and the client picks iwd up as
// soon as it appears on the bus.
func Dial(ctx context.Context, busAddress string, opts ...DialOption) (*Client, error) {
	if busAddress == "" {
		busAddress = os.Getenv("DBUS_SYSTEM_BUS_ADDRESS")
	}
	if busAddress == "" {
		busAddress = defaultSystemBus
	}
	c := &Client{
		sigs:    make(chan *dbus.Signal, 64),
		changed: make(chan struct{}),
		events:  make(chan struct{}, 1),
		done:    make(chan struct{}),
		scans:   map[Path]uint64{},
	}
	for _, o := range opts {
		o(c)
	}
	c.agent = &agent{c: c, active: map[*expectation]context.CancelCauseFunc{}}
	conn, err := connect(ctx, busAddress, c.agent.intercept)
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		// No bus at all (a container, a minimal host): iwd cannot be
		// running either.
		return nil, fmt.Errorf("%w; there is no system bus at %s", ErrNotRunning, busAddress)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot use the system bus at %s: %w", busAddress, err)
	}
	c.conn = conn
	if err := conn.Export(c.agent, AgentPath, ifAgent); err != nil {
		conn.Close()
		return nil, err
	}
	// Subscribe first, then read the tree, so that no change falls between.
	for _, match := range [][]dbus.MatchOption{
		{dbus.WithMatchSender(busName)},
		{
			dbus.WithMatchSender("org.freedesktop.DBus"),
			dbus.WithMatchMember("NameOwnerChanged"),
			dbus.WithMatchArg(0, busName),
		},
	} {
		if err := conn.AddMatchSignalContext(ctx, match...); err != nil {
			conn.Close()
			return nil, fmt.Errorf("subscribe to iwd's signals: %w", err)
		}
	}
	conn.Signal(c.sigs)
	if err := c.load(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	go c.loop()
	return c, nil
}

// connect dials and authenticates, giving up when ctx ends. intercept
// sees every incoming message, in order, before it is dispatched.
func connect(ctx context.Context, address string, intercept dbus.Interceptor) (*dbus.Conn, error) {
	type result struct {
		conn *dbus.Conn
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		conn, err := dbus.Connect(address,
			dbus.WithSignalHandler(dbus.NewSequentialSignalHandler()),
			dbus.WithIncomingInterceptor(intercept))
		ch <- result{conn, err}
	}()
	select {
	case r := <-ch:
		return r.conn, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.conn != nil {
				r.conn.Close()
			}
		}()
		return nil, ctx.Err()
	}
}

// Close unregisters the agent and leaves the bus. The Events channel is
// closed.
func (c *Client) Close() error {
	c.mu.Lock()
	c.closing = true
	registered := c.agentOK && c.owner != ""
	c.mu.Unlock()
	if registered {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c.conn.Object(busName, daemonPath).CallWithContext(ctx, ifAgentManager+".UnregisterAgent", 0, AgentPath)
		cancel()
	}
	err := c.conn.Close()
	<-c.done
	return err
}

// Events fires after every change of the model (coalesced: one pending
// event stands for any number of changes); call Snapshot to see the new
// state. It is meant for one consumer, such as the console's UI loop. The
// channel is closed when the client is closed or its bus connection is
// lost.
func (c *Client) Events() <-chan struct{} { return c.events }

// load reads iwd's state afresh: the tree, the daemon's info and the
// network order, and registers the agent. iwd being absent is not an
// error; being forbidden to talk to it is.
func (c *Client) load(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var objects map[Path]map[string]map[string]dbus.Variant
	flags := dbus.Flags(0)
	if c.noActivation {
		flags = dbus.FlagNoAutoStart
	}
	err := c.conn.Object(busName, "/").CallWithContext(ctx, ifObjectManager+".GetManagedObjects", flags).Store(&objects)
	if errorName(err) == "org.freedesktop.DBus.Error.AccessDenied" {
		return describe(opRead, "", err)
	}
	var owner string
	if c.conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.GetNameOwner", 0, busName).Store(&owner) != nil || owner == "" {
		// Not running (and not activatable).
		c.mu.Lock()
		c.clearLocked()
		c.notifyLocked()
		c.mu.Unlock()
		return nil
	}
	if err != nil || objects == nil {
		// iwd is there but did not answer (still starting?): start
		// empty and let its signals fill the model in.
		objects = map[Path]map[string]map[string]dbus.Variant{}
	}

	var info DaemonInfo
	var raw map[string]dbus.Variant
	// Daemon.GetInfo is experimental; its absence is fine.
	if c.conn.Object(busName, daemonPath).CallWithContext(ctx, ifDaemon+".GetInfo", 0).Store(&raw) == nil {
		info = DaemonInfo{
			Version:                     propString(raw, "Version"),
			StateDirectory:              propString(raw, "StateDirectory"),
			NetworkConfigurationEnabled: propBool(raw, "NetworkConfigurationEnabled"),
		}
	}

	agentErr := c.conn.Object(busName, daemonPath).CallWithContext(ctx, ifAgentManager+".RegisterAgent", 0, AgentPath).Err
	if errorName(agentErr) == iwdErrorPrefix+"AlreadyExists" {
		agentErr = nil
	}

	ordered := map[Path][]orderedNetwork{}
	for path, ifaces := range objects {
		if _, ok := ifaces[ifStation]; ok {
			if list, err := c.orderedNetworks(ctx, path); err == nil {
				ordered[path] = list
			}
		}
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	c.owner = owner
	c.objects = objects
	c.ordered = ordered
	c.daemon = info
	c.agentOK = agentErr == nil
	c.agentErr = nil
	if agentErr != nil {
		c.agentErr = describe(opAgent, "", agentErr)
	}
	c.notifyLocked()
	return nil
}

func (c *Client) orderedNetworks(ctx context.Context, station Path) ([]orderedNetwork, error) {
	var list []orderedNetwork
	err := c.conn.Object(busName, station).CallWithContext(ctx, ifStation+".GetOrderedNetworks", 0).Store(&list)
	return list, err
}

// clearLocked forgets everything about iwd; c.mu must be held.
func (c *Client) clearLocked() {
	c.owner = ""
	c.objects = nil
	c.ordered = nil
	c.daemon = DaemonInfo{}
	c.agentOK = false
	c.agentErr = nil
}

// notifyLocked wakes waiters and the Events consumer; c.mu must be held.
func (c *Client) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
	if c.ended {
		return
	}
	select {
	case c.events <- struct{}{}:
	default:
	}
}

// batch collects what a run of signals asks for once they are applied.
type batch struct {
	reload   bool
	stations map[Path]bool // need GetOrderedNetworks again
	scanned  map[Path]int  // Scanning went true→false
	changed  bool
}

// loop applies iwd's signals to the model until the bus connection ends.
func (c *Client) loop() {
	defer close(c.done)
	for {
		sig, ok := <-c.sigs
		if !ok {
			c.busLost()
			return
		}
		b := batch{stations: map[Path]bool{}, scanned: map[Path]int{}}
		c.apply(sig, &b)
		// Take whatever else is queued, so that a burst costs one refresh.
	drain:
		for {
			select {
			case sig, ok := <-c.sigs:
				if !ok {
					c.busLost()
					return
				}
				c.apply(sig, &b)
			default:
				break drain
			}
		}
		c.finish(&b)
	}
}

func (c *Client) busLost() {
	c.agent.cancelAll("shutdown")
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearLocked()
	if !c.closing {
		c.busErr = errors.New("lost the connection to the system bus")
	}
	c.notifyLocked()
	c.ended = true
	close(c.events)
}

// apply updates the model for one signal.
func (c *Client) apply(sig *dbus.Signal, b *batch) {
	if sig.Name == "org.freedesktop.DBus.NameOwnerChanged" {
		if len(sig.Body) != 3 {
			return
		}
		if name, _ := sig.Body[0].(string); name != busName {
			return
		}
		newOwner, _ := sig.Body[2].(string)
		if newOwner == "" {
			// iwd left; it withdraws its requests without Cancel if it
			// crashed, so close any prompt now.
			c.agent.cancelAll("shutdown")
			c.mu.Lock()
			c.clearLocked()
			c.mu.Unlock()
			b.reload = false
			b.changed = true
		} else {
			b.reload = true
		}
		return
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owner == "" || sig.Sender != c.owner || c.objects == nil {
		return // from an iwd that is gone, or before the tree was read
	}
	b.changed = true
	switch sig.Name {
	case ifObjectManager + ".InterfacesAdded":
		var path Path
		var added map[string]map[string]dbus.Variant
		if dbus.Store(sig.Body, &path, &added) != nil {
			return
		}
		obj := c.objects[path]
		if obj == nil {
			obj = map[string]map[string]dbus.Variant{}
			c.objects[path] = obj
		}
		for iface, props := range added {
			obj[iface] = props
			c.touched(path, iface, b)
		}
	case ifObjectManager + ".InterfacesRemoved":
		var path Path
		var removed []string
		if dbus.Store(sig.Body, &path, &removed) != nil {
			return
		}
		obj := c.objects[path]
		for _, iface := range removed {
			c.touched(path, iface, b)
			delete(obj, iface)
			if iface == ifStation {
				delete(c.ordered, path)
			}
		}
		if len(obj) == 0 {
			delete(c.objects, path)
		}
	case ifProperties + ".PropertiesChanged":
		var iface string
		var changed map[string]dbus.Variant
		var invalidated []string
		if dbus.Store(sig.Body, &iface, &changed, &invalidated) != nil {
			return
		}
		props := c.objects[sig.Path][iface]
		if props == nil {
			return
		}
		if iface == ifStation {
			if v, ok := changed["Scanning"]; ok {
				was, _ := props["Scanning"].Value().(bool)
				if now, _ := v.Value().(bool); was && !now {
					b.scanned[sig.Path]++
					b.stations[sig.Path] = true
				}
			}
			if _, ok := changed["State"]; ok {
				b.stations[sig.Path] = true
			}
		}
		for k, v := range changed {
			props[k] = v
		}
		for _, k := range invalidated {
			delete(props, k)
		}
		if iface == ifNetwork {
			c.touched(sig.Path, iface, b)
		}
	}
}

// touched marks the stations whose network order may have changed because
// of an object's interface; c.mu must be held.
func (c *Client) touched(path Path, iface string, b *batch) {
	switch iface {
	case ifStation:
		b.stations[path] = true
	case ifNetwork:
		if dev := propPath(c.objects[path][ifNetwork], "Device"); dev != "" {
			b.stations[dev] = true
		}
	case ifKnownNetwork:
		for p, obj := range c.objects {
			if _, ok := obj[ifStation]; ok {
				b.stations[p] = true
			}
		}
	}
}

// finish does the calls a batch needs, outside the lock, then publishes.
func (c *Client) finish(b *batch) {
	if b.reload {
		if err := c.load(context.Background()); err != nil {
			c.mu.Lock()
			c.agentErr = err
			c.mu.Unlock()
		}
		b.changed = true
	}
	fresh := map[Path][]orderedNetwork{}
	for station := range b.stations {
		c.mu.Lock()
		_, live := c.objects[station][ifStation]
		c.mu.Unlock()
		if !live {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		if list, err := c.orderedNetworks(ctx, station); err == nil {
			fresh[station] = list
		}
		cancel()
	}
	if !b.changed && len(fresh) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ordered == nil {
		c.ordered = map[Path][]orderedNetwork{}
	}
	for station, list := range fresh {
		if _, live := c.objects[station][ifStation]; live {
			c.ordered[station] = list
		}
	}
	// A scan counts as finished only once its results are in the model.
	for station, n := range b.scanned {
		c.scans[station] += uint64(n)
	}
	c.notifyLocked()
}

// waitUntil waits until cond (called with c.mu held) holds.
func (c *Client) waitUntil(ctx context.Context, cond func() bool) error {
	for {
		c.mu.Lock()
		ok, changed := cond(), c.changed
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// settle waits a little for an action's effect to reach the model; iwd
// has already answered, so not seeing it in time is not an error.
func (c *Client) settle(ctx context.Context, cond func() bool) {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	c.waitUntil(ctx, cond)
}
