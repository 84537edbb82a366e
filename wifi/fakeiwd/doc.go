// Package fakeiwd is a fake of iwd 2.3's documented D-Bus interface, for
// tests. No wireless hardware or mac80211_hwsim exists where the tests run,
// and the stock iwd daemon exits at once there, so the WiFi client is
// exercised against this fake instead.
//
// The fake is exported on a real, private dbus-daemon (see StartBus) under
// the well-known name net.connman.iwd. It follows the object tree,
// interfaces, signatures, property sets, signals and error names described in
// the project's iwd API notes: ObjectManager at "/" (implemented here, since
// godbus has none), org.freedesktop.DBus.Properties on every object with
// PropertiesChanged carrying invalidated properties, Daemon, AgentManager,
// Adapter, Device, Station, StationDiagnostic, Network and KnownNetwork. It
// calls the registered agent's RequestPassphrase (an agent registered by the
// caller's unique name first), sends Cancel("timed-out") when the agent does
// not answer in time, and Release when it stops.
//
// Tests script it with a Scenario (adapters, networks in range with their
// signal, security, passphrase and hidden flag, known networks) and knobs:
// the agent timeout, a hook run when a station becomes connected (for
// example to add an address in a network namespace), holding scans open,
// networks going out of range, and Stop/Restart to make iwd vanish from the
// bus and come back.
package fakeiwd
