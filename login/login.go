// Package login gathers, live, everything a person needs to log in to this
// installer: its addresses (over netlink), the mDNS name, the SSH host key
// fingerprints, and the password, onion hostname and Tor status from the
// state directory. It also says when any of that changes, so viewers can
// redraw on events instead of polling.
package login

import (
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"

	"github.com/nix-community/installer-console/state"
)

// DefaultSSHDir is where sshd keeps its host keys.
const DefaultSSHDir = "/etc/ssh"

// Source says where to gather from. The zero value reads this machine.
type Source struct {
	State  state.Dir
	SSHDir string  // default DefaultSSHDir
	Net    Network // default: this process's network namespace
	// Hostname overrides os.Hostname (tests, preview).
	Hostname func() (string, error)
}

// Info is one snapshot of the login data. Each part carries its own error,
// so one missing or corrupt piece never hides the others.
type Info struct {
	Hostname string
	// MDNSName is "<hostname>.local".
	MDNSName string

	Password    string
	PasswordErr error // wraps fs.ErrNotExist or state.ErrNotReadable when so

	Interfaces    []Interface
	InterfacesErr error

	Onion    string
	OnionErr error
	Tor      *state.TorStatus
	TorErr   error

	HostKeys    []HostKey
	HostKeysErr error
}

// Gather reads everything once.
func (s Source) Gather() Info {
	var info Info
	info.Hostname, info.MDNSName = s.hostname()
	info.Password, info.PasswordErr = s.State.ReadPassword()
	info.Interfaces, info.InterfacesErr = s.Net.Interfaces()
	info.Onion, info.OnionErr = s.State.ReadOnionHostname()
	if t, err := s.State.ReadTorStatus(); err == nil {
		info.Tor = &t
	} else {
		info.TorErr = err
	}
	info.HostKeys, info.HostKeysErr = ReadHostKeys(s.sshDir())
	return info
}

// RefreshState re-reads only the state file that changed.
func (s Source) RefreshState(info *Info, file string) {
	switch file {
	case state.PasswordFile:
		info.Password, info.PasswordErr = s.State.ReadPassword()
	case state.OnionHostnameFile:
		info.Onion, info.OnionErr = s.State.ReadOnionHostname()
	case state.TorStatusFile:
		info.Tor, info.TorErr = nil, nil
		if t, err := s.State.ReadTorStatus(); err == nil {
			info.Tor = &t
		} else {
			info.TorErr = err
		}
	}
}

// RefreshNetwork re-reads the interfaces and addresses.
func (s Source) RefreshNetwork(info *Info) {
	info.Interfaces, info.InterfacesErr = s.Net.Interfaces()
}

func (s Source) sshDir() string {
	if s.SSHDir == "" {
		return DefaultSSHDir
	}
	return s.SSHDir
}

func (s Source) hostname() (string, string) {
	get := s.Hostname
	if get == nil {
		get = os.Hostname
	}
	h, err := get()
	if err != nil || h == "" {
		return "", ""
	}
	return h, h + ".local"
}

// Addrs returns the global addresses of all up interfaces, IPv4 first.
func (i Info) Addrs() []netip.Addr {
	var all []netip.Addr
	for _, ifc := range i.Interfaces {
		if ifc.Up {
			all = append(all, ifc.Addrs...)
		}
	}
	return ipv4First(all)
}

// PasswordProblem says, in words, why the password is not shown, or "" when
// it is known.
func (i Info) PasswordProblem() string {
	return problem(i.PasswordErr, "not set yet")
}

// OnionProblem says why there is no onion hostname, or "" when there is one.
func (i Info) OnionProblem() string {
	return problem(i.OnionErr, "no onion service yet")
}

// TorProblem says why there is no Tor status, or "".
func (i Info) TorProblem() string {
	return problem(i.TorErr, "Tor service not started")
}

func problem(err error, missing string) string {
	switch {
	case err == nil:
		return ""
	case isNotReadable(err):
		return "not readable by this user; run as root"
	case isMissing(err):
		return missing
	}
	return fmt.Sprint(err)
}

func isMissing(err error) bool     { return errors.Is(err, fs.ErrNotExist) }
func isNotReadable(err error) bool { return errors.Is(err, state.ErrNotReadable) }
