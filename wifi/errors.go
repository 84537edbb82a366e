package wifi

import (
	"errors"
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
)

// Error is an iwd error (or a bus error on the way to iwd) put into words.
type Error struct {
	// Op is what was being done, e.g. `connecting to "Home"`.
	Op string
	// Name is iwd's error name without its prefix ("Failed", "NotHidden"),
	// or the full D-Bus name of other errors.
	Name string
	// CancelReason is set when iwd withdrew a passphrase request with
	// Cancel: "timed-out", "out-of-range", "user-canceled", "shutdown".
	CancelReason string
	// Sentence says what went wrong, for people.
	Sentence string
	// Err is the underlying D-Bus error.
	Err error
}

func (e *Error) Error() string {
	if e.Op == "" {
		return e.Sentence
	}
	return e.Op + ": " + e.Sentence
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorName returns the iwd error name of err ("Failed", "NotFound"...),
// or "" when err is not an iwd error.
func ErrorName(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Name
	}
	name := errorName(err)
	if strings.HasPrefix(name, iwdErrorPrefix) {
		return strings.TrimPrefix(name, iwdErrorPrefix)
	}
	return ""
}

// errorName is the D-Bus error name inside err, or "".
func errorName(err error) string {
	var v dbus.Error
	if errors.As(err, &v) {
		return v.Name
	}
	var p *dbus.Error
	if errors.As(err, &p) {
		return p.Name
	}
	return ""
}

// CanceledError is the cause of a passphrase prompt's context when iwd
// withdraws the request (or leaves the bus).
type CanceledError struct {
	Reason string // "timed-out", "out-of-range", "user-canceled", "shutdown"...
}

func (e *CanceledError) Error() string { return cancelSentence(e.Reason) }

func cancelSentence(reason string) string {
	switch reason {
	case "timed-out":
		return "nobody entered the passphrase in time, so iwd gave up (timed-out)"
	case "out-of-range":
		return "the network went out of range while iwd waited for the passphrase"
	case "user-canceled":
		return "the passphrase request was cancelled"
	case "shutdown":
		return "iwd shut down while it waited for the passphrase"
	}
	return fmt.Sprintf("iwd withdrew the passphrase request (%s)", reason)
}

// op says what kind of action failed, because iwd's names mean different
// things for different calls.
type op int

const (
	opRead op = iota
	opAgent
	opScan
	opConnect
	opHidden
	opDisconnect
	opForget
	opAutoConnect
	opPower
)

// describe turns a D-Bus error into an *Error with a sentence; what is the
// Op text. ErrNotRunning comes back (wrapped) when iwd is not on the bus.
func describe(kind op, what string, err error) error {
	name := errorName(err)
	if name == "" {
		if what == "" {
			return err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	switch name {
	case "org.freedesktop.DBus.Error.ServiceUnknown",
		"org.freedesktop.DBus.Error.NameHasNoOwner":
		if what == "" {
			return ErrNotRunning
		}
		return fmt.Errorf("%s: %w", what, ErrNotRunning)
	}
	e := &Error{Op: what, Name: strings.TrimPrefix(name, iwdErrorPrefix), Err: err}
	e.Sentence = sentence(kind, e.Name, err)
	return e
}

func sentence(kind op, name string, err error) string {
	connecting := kind == opConnect || kind == opHidden
	switch name {
	case "Failed":
		switch {
		case connecting:
			return "the network refused the connection, or it is out of reach"
		case kind == opScan:
			return "the scan failed"
		case kind == opPower:
			return "the device could not be switched on (is its radio blocked?)"
		}
		return "iwd could not do it"
	case "Aborted":
		if connecting {
			return "the connection attempt was aborted"
		}
		return "iwd aborted the request"
	case "NotAvailable":
		if kind == opPower {
			return "the radio is blocked by a hardware switch (rfkill): flip the WiFi switch or press the WiFi key"
		}
		return "the radio is blocked (rfkill), so iwd cannot use it now"
	case "InvalidArguments":
		if kind == opHidden {
			return "iwd refused the network name (a name has at most 32 bytes)"
		}
		return "iwd refused the request's arguments"
	case "InvalidFormat":
		return "iwd refused the passphrase's format: it takes 8 to 63 printable ASCII characters (a key of 64 hex digits cannot be entered this way)"
	case "AlreadyExists":
		if kind == opAgent {
			return "an agent is already registered on this bus connection"
		}
		return "it exists already"
	case "NotFound":
		if kind == opHidden {
			return "no hidden network with that name was found: check the spelling, and that it is in range"
		}
		return "iwd no longer has that object (it may have just gone away)"
	case "NotSupported":
		if connecting {
			return "iwd cannot connect to this kind of network (WEP, or no compatible access point)"
		}
		return "iwd does not support that here"
	case "NoAgent":
		return "iwd needs a passphrase but has no agent to ask for it"
	case "NotConnected":
		return "the device is not connected"
	case "NotConfigured":
		return "this enterprise (802.1X) network needs a provisioning file in iwd's state directory first"
	case "NotImplemented":
		return "this version of iwd does not implement that"
	case "ServiceSetOverlap":
		return "networks with this name but different security are in range, so iwd cannot tell which one is meant"
	case "AlreadyProvisioned":
		return "iwd already knows a network with this name: connect to it from the list instead (or forget it first)"
	case "NotHidden":
		return "this network is not hidden: it broadcasts its name, so connect to it from the list"
	case "InProgress", "Busy":
		if kind == opScan {
			return "iwd is busy with a scan or a connection; try again in a moment"
		}
		return "another operation (a connection, or a passphrase request) is already under way"
	case "org.freedesktop.DBus.Error.AccessDenied":
		return "not allowed to talk to iwd: run as root or as a member of the netdev group"
	case "org.freedesktop.DBus.Error.NoReply", "org.freedesktop.DBus.Error.Timeout":
		return "iwd did not answer (it may have stopped)"
	case "org.freedesktop.DBus.Error.UnknownObject", "org.freedesktop.DBus.Error.UnknownMethod",
		"org.freedesktop.DBus.Error.NotFound":
		return "iwd no longer has that object (it may have just gone away)"
	}
	return fmt.Sprintf("iwd answered %s: %v", name, err)
}
