// Package state owns the runtime state directory that the boot services write
// and the console reads: its path, the names and modes of the files in it,
// their formats, atomic writes and change notification. No other code builds
// these paths itself.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nix-community/installer-console/internal/atomicfile"
)

// DefaultDir is where the NixOS module's units keep the state (a
// RuntimeDirectory, so it is empty after every boot).
const DefaultDir = "/run/installer-console"

// File names inside the state directory. They are part of the contract with
// the NixOS module and documented in README.md.
const (
	PasswordFile      = "root-password"
	OnionHostnameFile = "onion-hostname"
	TorStatusFile     = "tor-status.json"
)

// ErrNotReadable means the file exists but the caller may not read it (the
// password file is root-only). Viewers show this as a fact, not a failure.
var ErrNotReadable = errors.New("not readable by this user")

// Dir is a state directory.
type Dir struct {
	Path string
}

// New returns the state directory at path, or DefaultDir when path is empty.
func New(path string) Dir {
	if path == "" {
		path = DefaultDir
	}
	return Dir{Path: path}
}

// Ensure creates the directory (0755: the onion name and Tor status are
// public; the password file itself is 0600).
func (d Dir) Ensure() error {
	if err := os.MkdirAll(d.Path, 0o755); err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	return nil
}

func (d Dir) file(name string) string { return filepath.Join(d.Path, name) }

// PasswordPath is the root password file (mode 0600).
func (d Dir) PasswordPath() string { return d.file(PasswordFile) }

// OnionHostnamePath holds the onion hostname, "<56 chars>.onion".
func (d Dir) OnionHostnamePath() string { return d.file(OnionHostnameFile) }

// TorStatusPath holds the TorStatus document as JSON.
func (d Dir) TorStatusPath() string { return d.file(TorStatusFile) }

// WritePassword stores the root password, readable by root only.
func (d Dir) WritePassword(password string) error {
	if err := d.Ensure(); err != nil {
		return err
	}
	return atomicfile.Write(d.PasswordPath(), []byte(password+"\n"), 0o600)
}

// ReadPassword returns the password, fs.ErrNotExist when none was set yet,
// or ErrNotReadable when this user may not read it.
func (d Dir) ReadPassword() (string, error) {
	return d.readLine(d.PasswordPath(), "password")
}

// WriteOnionHostname stores the onion hostname.
func (d Dir) WriteOnionHostname(hostname string) error {
	if !ValidOnionHostname(hostname) {
		return fmt.Errorf("onion hostname %q: not a v3 onion address", hostname)
	}
	if err := d.Ensure(); err != nil {
		return err
	}
	return atomicfile.Write(d.OnionHostnamePath(), []byte(hostname+"\n"), 0o644)
}

// ReadOnionHostname returns the onion hostname, fs.ErrNotExist when there is
// none yet, or an error naming the file when its content is not an onion name.
func (d Dir) ReadOnionHostname() (string, error) {
	h, err := d.readLine(d.OnionHostnamePath(), "onion hostname")
	if err != nil {
		return "", err
	}
	if !ValidOnionHostname(h) {
		return "", fmt.Errorf("%s: corrupt: %q is not a v3 onion address", d.OnionHostnamePath(), truncate(h, 80))
	}
	return h, nil
}

// ValidOnionHostname reports whether h looks like a v3 onion hostname:
// 56 base32 characters followed by ".onion".
func ValidOnionHostname(h string) bool {
	id, ok := strings.CutSuffix(h, ".onion")
	if !ok || len(id) != 56 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// Tor states, in the order a healthy service goes through them.
const (
	TorStarting      = "starting"      // tor is being started
	TorBootstrapping = "bootstrapping" // connecting to the Tor network
	TorPublished     = "published"     // descriptor uploaded: reachable
	TorRestarting    = "restarting"    // tor died and is being restarted
	TorError         = "error"         // see LastError
	TorStopped       = "stopped"       // the service exited
)

// TorStatus is the document the tor service keeps current.
type TorStatus struct {
	// State is one of the Tor* constants.
	State string `json:"state"`
	// Bootstrap is tor's bootstrap progress, 0 to 100.
	Bootstrap int `json:"bootstrap"`
	// Summary is tor's own words for the bootstrap phase.
	Summary string `json:"summary,omitempty"`
	// Published is true once a descriptor upload succeeded.
	Published bool `json:"published"`
	// LastError is the most recent problem, kept after recovery so a
	// viewer can say what happened.
	LastError string `json:"last_error,omitempty"`
	// Restarts counts how often tor was restarted after dying.
	Restarts int `json:"restarts"`
	// Updated is when the document was written.
	Updated time.Time `json:"updated"`
}

// WriteTorStatus replaces the Tor status document.
func (d Dir) WriteTorStatus(s TorStatus) error {
	if err := d.Ensure(); err != nil {
		return err
	}
	if s.Updated.IsZero() {
		s.Updated = time.Now().UTC()
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(d.TorStatusPath(), append(data, '\n'), 0o644)
}

// ReadTorStatus returns the Tor status, fs.ErrNotExist when there is none, or
// an error naming the file when it is corrupt.
func (d Dir) ReadTorStatus() (TorStatus, error) {
	var s TorStatus
	data, err := os.ReadFile(d.TorStatusPath())
	if err != nil {
		return s, wrapReadErr(err, "Tor status")
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return TorStatus{}, fmt.Errorf("%s: corrupt: %w", d.TorStatusPath(), err)
	}
	return s, nil
}

func (d Dir) readLine(path, what string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", wrapReadErr(err, what)
	}
	return strings.TrimSpace(string(data)), nil
}

func wrapReadErr(err error, what string) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%s: %w", what, ErrNotReadable)
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w", what, fs.ErrNotExist)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
