package wifi

import "github.com/godbus/dbus/v5"

// Path names an iwd object on the bus. Paths are opaque: objects are found
// by their interfaces, never by the shape of their path.
type Path = dbus.ObjectPath

// AgentPath is where the client exports its net.connman.iwd.Agent.
const AgentPath Path = "/org/nixcommunity/InstallerConsole/WiFiAgent"

// Names on the bus, as iwd 2.3 uses them.
const (
	busName    = "net.connman.iwd"
	daemonPath = Path("/net/connman/iwd")

	ifObjectManager = "org.freedesktop.DBus.ObjectManager"
	ifProperties    = "org.freedesktop.DBus.Properties"
	ifDaemon        = "net.connman.iwd.Daemon"
	ifAgentManager  = "net.connman.iwd.AgentManager"
	ifAdapter       = "net.connman.iwd.Adapter"
	ifDevice        = "net.connman.iwd.Device"
	ifStation       = "net.connman.iwd.Station"
	ifNetwork       = "net.connman.iwd.Network"
	ifKnownNetwork  = "net.connman.iwd.KnownNetwork"
	ifAgent         = "net.connman.iwd.Agent"

	// iwd's error names are "net.connman.iwd." + name, with no ".Error.".
	iwdErrorPrefix = "net.connman.iwd."
	// The error an agent answers to refuse a request.
	agentCanceled = "net.connman.iwd.Agent.Error.Canceled"
)

// Defaults for the system bus when DBUS_SYSTEM_BUS_ADDRESS is unset.
const defaultSystemBus = "unix:path=/run/dbus/system_bus_socket"
