package fakeiwd

import "time"

// Scenario describes the radio world and the state iwd starts with.
type Scenario struct {
	// Version is Daemon.GetInfo's Version; "2.3" when empty.
	Version string `json:"version,omitempty"`
	// NetworkConfigurationEnabled is reported by Daemon.GetInfo.
	NetworkConfigurationEnabled bool `json:"network_configuration_enabled,omitempty"`
	// Adapters are the wiphys, each with one network interface. None means
	// a machine without WiFi hardware.
	Adapters []Adapter `json:"adapters"`
	// Networks are the access points in range.
	Networks []Network `json:"networks"`
	// Known are the network profiles iwd has stored.
	Known []Known `json:"known,omitempty"`
	// InitialScan makes stations start with scan results, as after iwd's
	// own scan at start-up; otherwise they have none until Scan.
	InitialScan bool `json:"initial_scan,omitempty"`
	// NewerProperties adds what iwd 2.20 and newer export
	// (Network.ExtendedServiceSet, Station.ConnectedAccessPoint,
	// Station.Affinities, BasicServiceSet objects), so that clients can be
	// checked against both generations.
	NewerProperties bool `json:"newer_properties,omitempty"`
	// AgentTimeout is how long iwd waits for the agent's answer; 120 s
	// (iwd's value) when zero.
	AgentTimeout time.Duration `json:"-"`
}

// Adapter is one wiphy with its network interface.
type Adapter struct {
	Name   string `json:"name"` // e.g. "phy0"
	Model  string `json:"model,omitempty"`
	Vendor string `json:"vendor,omitempty"`
	// Device is the interface name, e.g. "wlan0".
	Device string `json:"device"`
	// Address is the interface's MAC address.
	Address string `json:"address,omitempty"`
	// SoftBlocked is rfkill's soft block: Adapter.Powered is false until
	// someone sets it true.
	SoftBlocked bool `json:"soft_blocked,omitempty"`
	// HardBlocked is rfkill's hardware switch: Adapter.Powered is false and
	// setting it fails with NotAvailable.
	HardBlocked bool `json:"hard_blocked,omitempty"`
	// DeviceOff starts the interface with Device.Powered false.
	DeviceOff bool `json:"device_off,omitempty"`
}

// Network is an access point in range.
type Network struct {
	SSID string `json:"ssid"`
	// Security is iwd's type: "open", "psk", "8021x" or "wep".
	Security string `json:"security"`
	// Signal is the strength in dBm, e.g. -55.
	Signal int `json:"signal"`
	// Passphrase is the one that works, for "psk".
	Passphrase string `json:"passphrase,omitempty"`
	// Hidden networks do not broadcast their SSID: scans list them only
	// once iwd knows them; ConnectHiddenNetwork finds them.
	Hidden bool   `json:"hidden,omitempty"`
	BSSID  string `json:"bssid,omitempty"`
}

// Known is a stored network profile.
type Known struct {
	SSID     string `json:"ssid"`
	Security string `json:"security"`
	Hidden   bool   `json:"hidden,omitempty"`
	// Passphrase is the stored one; empty means iwd asks the agent.
	Passphrase    string    `json:"passphrase,omitempty"`
	NoAutoConnect bool      `json:"no_autoconnect,omitempty"`
	LastConnected time.Time `json:"last_connected,omitzero"`
}

// Demo is a small world for trying the console by hand and for end-to-end
// tests of the console: one adapter, a few networks of each kind, a hidden
// one, and a known café. Passphrases: "Home" is "correct horse battery",
// "HiddenLab" is "hidden lab passphrase".
func Demo() Scenario {
	return Scenario{
		InitialScan: true,
		Adapters: []Adapter{{
			Name: "phy0", Model: "Fake 802.11ac", Vendor: "Fake Devices Inc.",
			Device: "wlan0", Address: "02:00:00:00:01:00",
		}},
		Networks: []Network{
			{SSID: "Home", Security: "psk", Signal: -48, Passphrase: "correct horse battery"},
			{SSID: "Cafe", Security: "open", Signal: -66},
			{SSID: "Neighbour", Security: "psk", Signal: -79, Passphrase: "not yours at all"},
			{SSID: "Office", Security: "8021x", Signal: -61},
			{SSID: "HiddenLab", Security: "psk", Signal: -57, Passphrase: "hidden lab passphrase", Hidden: true},
		},
		Known: []Known{{SSID: "Cafe", Security: "open"}},
	}
}
