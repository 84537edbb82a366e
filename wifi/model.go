package wifi

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
)

// Snapshot is a copy of what the client knows about iwd at one moment.
type Snapshot struct {
	// Running is true while iwd is on the bus.
	Running bool       `json:"running"`
	Daemon  DaemonInfo `json:"daemon"`
	// Agent is true when the client's passphrase agent is registered.
	Agent bool `json:"agent_registered"`
	// Problem describes why the agent could not be registered, or that
	// the bus connection was lost; empty when all is well.
	Problem       string         `json:"problem,omitempty"`
	Adapters      []Adapter      `json:"adapters"`
	Devices       []Device       `json:"devices"`
	KnownNetworks []KnownNetwork `json:"known_networks"`
}

// DaemonInfo is what Daemon.GetInfo reports (empty on iwd older than 1.15).
type DaemonInfo struct {
	Version        string `json:"version,omitempty"`
	StateDirectory string `json:"state_directory,omitempty"`
	// NetworkConfigurationEnabled means iwd itself runs DHCP; when false
	// another service (systemd-networkd) must configure addresses.
	NetworkConfigurationEnabled bool `json:"network_configuration_enabled"`
}

// Adapter is a WiFi radio (a wiphy).
type Adapter struct {
	Path Path   `json:"path"`
	Name string `json:"name"`
	// Powered is false when the radio is blocked by rfkill (a soft block
	// that PowerOn lifts, or a hardware switch).
	Powered        bool     `json:"powered"`
	Model          string   `json:"model,omitempty"`
	Vendor         string   `json:"vendor,omitempty"`
	SupportedModes []string `json:"supported_modes"`
}

// Device is a WiFi network interface.
type Device struct {
	Path    Path   `json:"path"`
	Name    string `json:"name"` // the interface name, e.g. "wlan0"
	Address string `json:"address"`
	Powered bool   `json:"powered"`
	Mode    string `json:"mode"` // "station", "ap" or "ad-hoc"
	Adapter Path   `json:"adapter"`
	// AdapterName and AdapterPowered repeat the adapter's, for display.
	AdapterName    string `json:"adapter_name"`
	AdapterPowered bool   `json:"adapter_powered"`
	// Station is nil unless the device is powered and in station mode.
	Station *Station `json:"station,omitempty"`
}

// Station is a device's client-mode state.
type Station struct {
	// State is "connected", "disconnected", "connecting", "disconnecting"
	// or "roaming".
	State    string `json:"state"`
	Scanning bool   `json:"scanning"`
	// ConnectedNetwork is set from the start of a connection attempt.
	ConnectedNetwork Path `json:"connected_network,omitempty"`
	// Networks are in iwd's order: the connected network, then known
	// networks, then the others, strongest first within each group.
	Networks []Network `json:"networks"`
}

// Network is a network in range of a station.
type Network struct {
	Path Path   `json:"path"`
	SSID string `json:"ssid"`
	// Security is "open", "psk", "8021x" or "wep" (WPA3-SAE shows as
	// "psk", OWE as "open").
	Security string `json:"security"`
	// SignalDBm is the signal strength in dBm; Bars is 1 (weak) to 4
	// (strong) with iwctl's thresholds. Both are 0 while unknown.
	SignalDBm int `json:"signal_dbm"`
	Bars      int `json:"bars"`
	// Connected is true when the station is connected to this network.
	Connected    bool `json:"connected"`
	Known        bool `json:"known"`
	KnownNetwork Path `json:"known_network,omitempty"`
	Device       Path `json:"device"`
}

// KnownNetwork is a network profile iwd has stored.
type KnownNetwork struct {
	Path        Path   `json:"path"`
	SSID        string `json:"ssid"`
	Security    string `json:"security"` // "open", "psk", "8021x" or "hotspot"
	Hidden      bool   `json:"hidden"`
	AutoConnect bool   `json:"autoconnect"`
	// LastConnected is zero when iwd did not say.
	LastConnected time.Time `json:"last_connected,omitzero"`
}

// Snapshot returns a copy of the current model.
func (c *Client) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Snapshot{
		Running:       c.owner != "",
		Daemon:        c.daemon,
		Agent:         c.agentOK,
		Adapters:      []Adapter{},
		Devices:       []Device{},
		KnownNetworks: []KnownNetwork{},
	}
	switch {
	case c.busErr != nil:
		s.Problem = c.busErr.Error()
	case c.agentErr != nil:
		s.Problem = c.agentErr.Error()
	}
	adapters := map[Path]Adapter{}
	for path, obj := range c.objects {
		if p, ok := obj[ifAdapter]; ok {
			a := Adapter{
				Path:           path,
				Name:           propString(p, "Name"),
				Powered:        propBool(p, "Powered"),
				Model:          propString(p, "Model"),
				Vendor:         propString(p, "Vendor"),
				SupportedModes: propStrings(p, "SupportedModes"),
			}
			adapters[path] = a
			s.Adapters = append(s.Adapters, a)
		}
		if p, ok := obj[ifKnownNetwork]; ok {
			k := KnownNetwork{
				Path:        path,
				SSID:        propString(p, "Name"),
				Security:    propString(p, "Type"),
				Hidden:      propBool(p, "Hidden"),
				AutoConnect: propBool(p, "AutoConnect"),
			}
			if t, err := time.Parse(time.RFC3339, propString(p, "LastConnectedTime")); err == nil {
				k.LastConnected = t
			}
			s.KnownNetworks = append(s.KnownNetworks, k)
		}
	}
	for path, obj := range c.objects {
		p, ok := obj[ifDevice]
		if !ok {
			continue
		}
		d := Device{
			Path:    path,
			Name:    propString(p, "Name"),
			Address: propString(p, "Address"),
			Powered: propBool(p, "Powered"),
			Mode:    propString(p, "Mode"),
			Adapter: propPath(p, "Adapter"),
		}
		if a, ok := adapters[d.Adapter]; ok {
			d.AdapterName, d.AdapterPowered = a.Name, a.Powered
		}
		if sp, ok := obj[ifStation]; ok {
			d.Station = c.stationLocked(path, sp)
		}
		s.Devices = append(s.Devices, d)
	}
	slices.SortFunc(s.Adapters, func(a, b Adapter) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(s.Devices, func(a, b Device) int { return cmp.Compare(a.Name, b.Name) })
	slices.SortFunc(s.KnownNetworks, func(a, b KnownNetwork) int {
		return cmp.Or(cmp.Compare(a.SSID, b.SSID), cmp.Compare(a.Security, b.Security))
	})
	return s
}

func (c *Client) stationLocked(path Path, p map[string]dbus.Variant) *Station {
	st := &Station{
		State:            propString(p, "State"),
		Scanning:         propBool(p, "Scanning"),
		ConnectedNetwork: propPath(p, "ConnectedNetwork"),
		Networks:         []Network{},
	}
	online := st.State == "connected" || st.State == "roaming"
	byPath := map[Path]Network{}
	for np, obj := range c.objects {
		q, ok := obj[ifNetwork]
		if !ok || propPath(q, "Device") != path {
			continue
		}
		known := propPath(q, "KnownNetwork")
		byPath[np] = Network{
			Path:         np,
			SSID:         propString(q, "Name"),
			Security:     propString(q, "Type"),
			Connected:    online && st.ConnectedNetwork == np,
			Known:        known != "",
			KnownNetwork: known,
			Device:       path,
		}
	}
	for _, o := range c.ordered[path] {
		n, ok := byPath[o.Path]
		if !ok {
			continue
		}
		n.SignalDBm, n.Bars = SignalDBm(o.Signal), Bars(o.Signal)
		st.Networks = append(st.Networks, n)
		delete(byPath, o.Path)
	}
	// Networks iwd has not ordered yet go last.
	var rest []Network
	for _, n := range byPath {
		rest = append(rest, n)
	}
	slices.SortFunc(rest, func(a, b Network) int { return cmp.Compare(a.SSID, b.SSID) })
	st.Networks = append(st.Networks, rest...)
	return st
}

// Errors of looking things up in a Snapshot.
var (
	// ErrNotRunning means iwd is not on the bus.
	ErrNotRunning = errors.New("iwd is not running (no net.connman.iwd on the system bus)")
	// ErrNoAdapter means iwd sees no WiFi hardware.
	ErrNoAdapter = errors.New("no WiFi adapter found")
	// ErrSeveralDevices means a device must be named.
	ErrSeveralDevices = errors.New("there are several WiFi devices")
	// ErrDeviceOff means the device has no station: powered off, radio
	// blocked, or not in station mode. PowerOn fixes the first two.
	ErrDeviceOff = errors.New("the WiFi device is off")
	// ErrNetworkNotFound means no network with that name is in range.
	ErrNetworkNotFound = errors.New("no network with that name is in range")
	// ErrAmbiguous means several networks share the name.
	ErrAmbiguous = errors.New("several networks have that name")
)

// Device finds a WiFi device by interface name; with "" it returns the
// only one there is.
func (s Snapshot) Device(name string) (Device, error) {
	if !s.Running {
		return Device{}, ErrNotRunning
	}
	if len(s.Devices) == 0 {
		return Device{}, ErrNoAdapter
	}
	var names []string
	for _, d := range s.Devices {
		if d.Name == name || (name == "" && len(s.Devices) == 1) {
			return d, nil
		}
		names = append(names, d.Name)
	}
	if name == "" {
		return Device{}, fmt.Errorf("%w: %s", ErrSeveralDevices, strings.Join(names, ", "))
	}
	return Device{}, fmt.Errorf("no WiFi device named %q (there is %s)", name, strings.Join(names, ", "))
}

// Ready returns the device's station, or an error that says why it has
// none.
func (d Device) Ready() (*Station, error) {
	switch {
	case d.Station != nil:
		return d.Station, nil
	case !d.AdapterPowered:
		return nil, fmt.Errorf("%w: the radio of %s is blocked (rfkill)", ErrDeviceOff, d.Name)
	case !d.Powered:
		return nil, fmt.Errorf("%w: %s is powered off", ErrDeviceOff, d.Name)
	case d.Mode != "station":
		return nil, fmt.Errorf("%w: %s is in %s mode, not station", ErrDeviceOff, d.Name, d.Mode)
	}
	return nil, fmt.Errorf("%w: %s has no station", ErrDeviceOff, d.Name)
}

// Network finds a network in range by SSID; security ("psk", "open"...)
// chooses between networks that share a name and may be "".
func (st *Station) Network(ssid, security string) (Network, error) {
	var found []Network
	for _, n := range st.Networks {
		if n.SSID == ssid && (security == "" || n.Security == security) {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return Network{}, fmt.Errorf("%w: %q", ErrNetworkNotFound, ssid)
	case 1:
		return found[0], nil
	}
	return Network{}, fmt.Errorf("%w: %q is %s", ErrAmbiguous, ssid, securities(found))
}

// Connected returns the network the station is connected to, if any.
func (st *Station) Connected() (Network, bool) {
	for _, n := range st.Networks {
		if n.Connected {
			return n, true
		}
	}
	return Network{}, false
}

// Known finds a known network by SSID; security may be "".
func (s Snapshot) Known(ssid, security string) (KnownNetwork, error) {
	var found []KnownNetwork
	for _, k := range s.KnownNetworks {
		if k.SSID == ssid && (security == "" || k.Security == security) {
			found = append(found, k)
		}
	}
	switch len(found) {
	case 0:
		return KnownNetwork{}, fmt.Errorf("iwd knows no network named %q", ssid)
	case 1:
		return found[0], nil
	}
	var types []string
	for _, k := range found {
		types = append(types, k.Security)
	}
	return KnownNetwork{}, fmt.Errorf("%w: %q is %s", ErrAmbiguous, ssid, strings.Join(types, " and "))
}

func securities(ns []Network) string {
	var types []string
	for _, n := range ns {
		types = append(types, n.Security)
	}
	return strings.Join(types, " and ")
}

// Property readers that tolerate absent or oddly typed values.

func propString(p map[string]dbus.Variant, key string) string {
	s, _ := p[key].Value().(string)
	return s
}

func propBool(p map[string]dbus.Variant, key string) bool {
	b, _ := p[key].Value().(bool)
	return b
}

func propPath(p map[string]dbus.Variant, key string) Path {
	o, _ := p[key].Value().(dbus.ObjectPath)
	return o
}

func propStrings(p map[string]dbus.Variant, key string) []string {
	s, _ := p[key].Value().([]string)
	if s == nil {
		s = []string{}
	}
	return s
}
