package login

import (
	"net/netip"
	"time"
)

// DocumentVersion is bumped only for changes that break readers.
const DocumentVersion = 1

// Document is the stable JSON form of Info, printed by `status --json`.
// Fields are only added, never renamed; README.md documents them.
type Document struct {
	Version  int    `json:"version"`
	Hostname string `json:"hostname,omitempty"`
	MDNSName string `json:"mdns_name,omitempty"`
	// Password is omitted when it is not known to this caller;
	// PasswordStatus then says why: "not-set", "not-readable" or "error".
	Password       string `json:"password,omitempty"`
	PasswordStatus string `json:"password_status"`
	// Addresses are the global addresses of up interfaces, IPv4 first,
	// unbracketed.
	Addresses  []string            `json:"addresses"`
	Interfaces []DocumentInterface `json:"interfaces"`
	// SSHCommands are ready-to-paste login commands, the onion one last.
	SSHCommands []string      `json:"ssh_commands"`
	Tor         DocumentTor   `json:"tor"`
	HostKeys    []DocumentKey `json:"host_keys"`
	// Problems lists, in words, every part that could not be read.
	Problems []string `json:"problems"`
}

// DocumentInterface is one network interface.
type DocumentInterface struct {
	Name      string   `json:"name"`
	MAC       string   `json:"mac,omitempty"`
	Up        bool     `json:"up"`
	State     string   `json:"state"`
	Wireless  bool     `json:"wireless"`
	Addresses []string `json:"addresses"`
}

// DocumentTor is the onion service's address and state.
type DocumentTor struct {
	Onion     string     `json:"onion,omitempty"`
	State     string     `json:"state,omitempty"` // a state.Tor* value; empty when unknown
	Bootstrap int        `json:"bootstrap"`
	Published bool       `json:"published"`
	LastError string     `json:"last_error,omitempty"`
	Restarts  int        `json:"restarts"`
	Updated   *time.Time `json:"updated,omitempty"`
}

// DocumentKey is one SSH host key.
type DocumentKey struct {
	Type        string `json:"type"`
	Bits        int    `json:"bits"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment,omitempty"`
	File        string `json:"file"`
}

// SSHCommands are the commands that log in to this machine: one per
// address, then the mDNS name, then the onion address through torify.
func (i Info) SSHCommands() []string {
	var cmds []string
	for _, a := range i.Addrs() {
		cmds = append(cmds, "ssh root@"+a.String())
	}
	if i.MDNSName != "" {
		cmds = append(cmds, "ssh root@"+i.MDNSName)
	}
	if i.Onion != "" {
		cmds = append(cmds, "torify ssh root@"+i.Onion)
	}
	return cmds
}

// Document returns the JSON form.
func (i Info) Document() Document {
	d := Document{
		Version:        DocumentVersion,
		Hostname:       i.Hostname,
		MDNSName:       i.MDNSName,
		Password:       i.Password,
		PasswordStatus: passwordStatus(i),
		Addresses:      addrStrings(i.Addrs()),
		Interfaces:     []DocumentInterface{},
		SSHCommands:    i.SSHCommands(),
		HostKeys:       []DocumentKey{},
		Problems:       i.Problems(),
		Tor:            DocumentTor{Onion: i.Onion},
	}
	if d.SSHCommands == nil {
		d.SSHCommands = []string{}
	}
	for _, ifc := range i.Interfaces {
		d.Interfaces = append(d.Interfaces, DocumentInterface{
			Name: ifc.Name, MAC: ifc.MAC, Up: ifc.Up, State: ifc.State,
			Wireless: ifc.Wireless, Addresses: addrStrings(ifc.Addrs),
		})
	}
	if t := i.Tor; t != nil {
		d.Tor.State, d.Tor.Bootstrap, d.Tor.Published = t.State, t.Bootstrap, t.Published
		d.Tor.LastError, d.Tor.Restarts = t.LastError, t.Restarts
		updated := t.Updated
		d.Tor.Updated = &updated
	}
	for _, k := range i.HostKeys {
		d.HostKeys = append(d.HostKeys, DocumentKey{Type: k.Type, Bits: k.Bits, Fingerprint: k.Fingerprint, Comment: k.Comment, File: k.Path})
	}
	return d
}

// Problems lists every part that could not be read, as sentences; parts
// that simply do not exist yet (no onion service yet) are not problems.
func (i Info) Problems() []string {
	out := []string{}
	for _, p := range []struct {
		what string
		err  error
	}{
		{"password", i.PasswordErr},
		{"onion hostname", i.OnionErr},
		{"Tor status", i.TorErr},
	} {
		if p.err != nil && !isMissing(p.err) && !isNotReadable(p.err) {
			out = append(out, p.what+": "+p.err.Error())
		}
	}
	if i.InterfacesErr != nil {
		out = append(out, "network: "+i.InterfacesErr.Error())
	}
	if i.HostKeysErr != nil {
		out = append(out, "SSH host keys: "+i.HostKeysErr.Error())
	}
	return out
}

func passwordStatus(i Info) string {
	switch {
	case i.PasswordErr == nil:
		return "ok"
	case isNotReadable(i.PasswordErr):
		return "not-readable"
	case isMissing(i.PasswordErr):
		return "not-set"
	}
	return "error"
}

func addrStrings(addrs []netip.Addr) []string {
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, a.String())
	}
	return out
}
