// Package wifi owns talking to iwd over D-Bus: it keeps a live model of
// iwd's adapters, devices, stations, networks and known networks, and it
// performs the actions a person needs to get online over WiFi.
//
// # Model and events
//
// Dial connects to the system bus (or a given address) and subscribes to
// iwd's signals before it reads iwd's object tree with GetManagedObjects, so
// no change is missed. From then on the model follows InterfacesAdded,
// InterfacesRemoved and PropertiesChanged; the network order and signal
// strengths come from Station.GetOrderedNetworks, asked again whenever a
// scan ends or networks come, go or change state. Snapshot returns a copy
// of the model; Events fires after every change. When iwd leaves the bus
// the model empties (Snapshot().Running is false); when it comes back
// (NameOwnerChanged) the client reads the tree again and registers its agent
// again. Nothing is polled.
//
// # Actions
//
// Scan triggers a scan and waits for Station.Scanning to go true→false.
// Connect and ConnectHidden supply the passphrase through the client's own
// agent, registered on the same bus connection that calls Connect, so that
// iwd asks this client and not some other agent. The passphrase comes from
// a PassphraseFunc the caller gives (a prompt, a file); its context is
// cancelled when iwd sends Cancel (timeout, network out of range, shutdown)
// with a *CanceledError as the cause; Connect does not return while a
// prompt is still open. Connect (on success), Disconnect, Forget,
// SetAutoConnect, PowerOn and PowerOff return once the model shows the
// result (or after a short bound); a failed Connect's end state reaches
// the model through Events.
//
// Inputs are checked before iwd sees them (ValidatePassphrase,
// ValidateSSID), and every iwd error becomes an *Error whose message is a
// sentence a person understands, e.g. "wrong passphrase, or the network
// refused us".
//
// After a connection, WaitForAddress watches the interface over netlink
// until it has a global address, because being associated is not being
// online: DHCP must also succeed.
//
// The client targets iwd 2.3 (Debian 12) and tolerates both the absence and
// the presence of properties added by newer versions.
package wifi
