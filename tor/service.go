// Package tor owns running tor for the installer: it starts the tor binary
// with a persistent data directory, keeps the onion service's key, adds a v3
// onion service that maps a virtual port (22) to the local sshd, and keeps
// the state directory's onion hostname and Tor status document current from
// tor's control-port events. When tor dies it is restarted with the same key,
// so the address an operator scanned stays valid.
//
// Layout of the data directory (default /var/lib/installer-console/tor,
// mode 0700):
//
//	hs_ed25519_secret_key   the onion service key, tor's own format, 0600
//	tor-data/               tor's DataDirectory (0700)
//	tor-data/control.sock   tor's control socket (cookie authentication)
//	tor-data/torrc          written at each start: %include of the extra file
//
// tor runs with the command-line settings below; anything else (bridges, a
// private test network, DisableNetwork) comes from the extra torrc file:
//
//	--defaults-torrc /dev/null -f DIR/tor-data/torrc --RunAsDaemon 0 --hush
//	--DataDirectory DIR/tor-data --ControlSocket DIR/tor-data/control.sock
//	--CookieAuthentication 1 --SocksPort ADDR|0 --__OwningControllerProcess PID
//
// The service also sends TAKEOWNERSHIP, so tor exits as soon as the service's
// control connection closes, whichever way the service ends.
package tor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nix-community/installer-console/internal/atomicfile"
	"github.com/nix-community/installer-console/state"
)

// Defaults of Config's fields.
const (
	DefaultDataDir     = "/var/lib/installer-console/tor"
	DefaultTorPath     = "tor"
	DefaultVirtualPort = 22
	DefaultTarget      = "127.0.0.1:22"
	DefaultSocks       = "127.0.0.1:9050"
)

// SocksOff disables tor's SOCKS port when given as Config.Socks ("0" works
// too).
const SocksOff = "off"

// Names inside the data directory.
const (
	TorDataDirName    = "tor-data"
	ControlSocketName = "control.sock"
	TorrcName         = "torrc"
)

// Config says how to run tor. Zero values mean the defaults above.
type Config struct {
	// TorPath is the tor binary: a path, or a name looked up in PATH.
	TorPath string
	// DataDir is the persistent directory for the key and tor's data.
	DataDir string
	// VirtualPort is the onion service's port (what ssh connects to).
	VirtualPort int
	// Target is where tor forwards the service's connections, host:port.
	Target string
	// Socks is tor's SOCKS listener for local clients, host:port, or
	// SocksOff.
	Socks string
	// TorrcExtra is a torrc file with extra lines for tor, or "".
	TorrcExtra string
	// State is the runtime state directory that receives the onion
	// hostname and the Tor status document.
	State state.Dir
	// Log receives the service's log lines and tor's warnings (stderr when
	// nil; under systemd that is the journal).
	Log io.Writer
}

// Restart pacing: tor is restarted at once-ish after a crash, then more and
// more slowly while it keeps failing, never slower than maxRestartDelay.
const (
	minRestartDelay = 250 * time.Millisecond
	maxRestartDelay = 30 * time.Second
	// A tor that ran this long counts as healthy: the next crash starts
	// the backoff again.
	stableRun = time.Minute
	// How long a starting tor may take to open its control socket.
	controlSocketTimeout = time.Minute
	// How long tor may take to exit after its owner hung up.
	stopTimeout = 5 * time.Second
)

// Service runs tor and the onion service. Create it with New.
type Service struct {
	cfg    Config
	logMu  sync.Mutex
	status *statusKeeper

	mu  sync.Mutex
	pid int
	key onionKey
}

// New checks cfg and returns a Service. It does not touch the disk; Run
// does.
func New(cfg Config) (*Service, error) {
	if cfg.TorPath == "" {
		cfg.TorPath = DefaultTorPath
	}
	if cfg.DataDir == "" {
		cfg.DataDir = DefaultDataDir
	}
	if cfg.VirtualPort == 0 {
		cfg.VirtualPort = DefaultVirtualPort
	}
	if cfg.Target == "" {
		cfg.Target = DefaultTarget
	}
	if cfg.Socks == "" {
		cfg.Socks = DefaultSocks
	}
	if cfg.Socks == "0" {
		cfg.Socks = SocksOff
	}
	if cfg.State.Path == "" {
		cfg.State = state.New("")
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	if cfg.VirtualPort < 1 || cfg.VirtualPort > 65535 {
		return nil, fmt.Errorf("onion service port %d: want 1 to 65535", cfg.VirtualPort)
	}
	if err := checkHostPort(cfg.Target); err != nil {
		return nil, fmt.Errorf("onion service target %q: %w", cfg.Target, err)
	}
	if cfg.Socks != SocksOff {
		if err := checkHostPort(cfg.Socks); err != nil {
			return nil, fmt.Errorf("SOCKS address %q: %w (or %q to have none)", cfg.Socks, err, SocksOff)
		}
	}
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory %q: %w", cfg.DataDir, err)
	}
	cfg.DataDir = dataDir
	if cfg.TorrcExtra != "" {
		if cfg.TorrcExtra, err = filepath.Abs(cfg.TorrcExtra); err != nil {
			return nil, fmt.Errorf("extra torrc file: %w", err)
		}
	}
	s := &Service{cfg: cfg}
	s.status = &statusKeeper{dir: cfg.State, logf: s.logf}
	return s, nil
}

func checkHostPort(hp string) error {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return fmt.Errorf("want host:port: %w", err)
	}
	if host == "" {
		return errors.New("want host:port, the host is missing")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("port %q: want 1 to 65535", port)
	}
	return nil
}

// TorDataDir is tor's DataDirectory.
func (s *Service) TorDataDir() string { return filepath.Join(s.cfg.DataDir, TorDataDirName) }

// ControlSocketPath is tor's control socket (cookie authentication; the
// cookie is in TorDataDir).
func (s *Service) ControlSocketPath() string {
	return filepath.Join(s.TorDataDir(), ControlSocketName)
}

// TorrcPath is the torrc the service writes for tor.
func (s *Service) TorrcPath() string { return filepath.Join(s.TorDataDir(), TorrcName) }

// KeyPath is the onion service key file.
func (s *Service) KeyPath() string { return filepath.Join(s.cfg.DataDir, KeyFileName) }

// TorPID is the process ID of the running tor, or 0 between runs.
func (s *Service) TorPID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pid
}

func (s *Service) logf(format string, args ...any) {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.cfg.Log, format+"\n", args...)
}

// Run writes the onion hostname, then runs tor until ctx is done,
// restarting it whenever it dies. It returns nil after a requested stop, or
// an error when the service cannot work at all: no tor binary, an unusable
// data or state directory, a configuration tor rejects.
func (s *Service) Run(ctx context.Context) error {
	torPath, err := s.prepare()
	if err != nil {
		s.status.failed(err.Error())
		return err
	}
	failures := 0
	for {
		s.status.starting()
		started := time.Now()
		err := s.runTor(ctx, torPath)
		if ctx.Err() != nil {
			s.status.stopped()
			s.logf("stopped tor; the onion service is offline")
			return nil
		}
		if err == nil {
			err = errors.New("tor stopped") // runTor returns nil only once ctx is done
		}
		if time.Since(started) >= stableRun {
			failures = 0
		}
		failures++
		delay := restartDelay(failures)
		s.status.died(err.Error())
		s.logf("%v; restarting tor in %v (restart number %d)", err, delay.Round(time.Millisecond), s.status.get().Restarts)
		timer := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			timer.Stop()
			s.status.stopped()
			s.logf("stopped; the onion service is offline")
			return nil
		case <-timer.C:
		}
	}
}

func restartDelay(failures int) time.Duration {
	d := minRestartDelay
	for i := 1; i < failures && d < maxRestartDelay; i++ {
		d *= 2
	}
	return min(d, maxRestartDelay)
}

// prepare does everything that needs no running tor: checks, the key, the
// hostname. Its errors are fatal.
func (s *Service) prepare() (torPath string, err error) {
	if err := s.cfg.State.Ensure(); err != nil {
		return "", err
	}
	torPath, err = exec.LookPath(s.cfg.TorPath)
	if err != nil {
		return "", fmt.Errorf("tor binary %q not found or not executable (install tor or pass --tor PATH): %w", s.cfg.TorPath, unwrapExecErr(err))
	}
	if s.cfg.TorrcExtra != "" {
		if _, err := os.ReadFile(s.cfg.TorrcExtra); err != nil {
			return "", fmt.Errorf("extra torrc file: %w", err)
		}
	}
	for _, dir := range []string{s.cfg.DataDir, s.TorDataDir()} {
		if err := ensurePrivateDir(dir); err != nil {
			return "", fmt.Errorf("data directory %s is unusable: %w", s.cfg.DataDir, err)
		}
	}
	key, err := loadOrCreateKey(s.cfg.DataDir, s.logf)
	if err != nil {
		return "", fmt.Errorf("data directory %s is unusable: %w", s.cfg.DataDir, err)
	}
	s.mu.Lock()
	s.key = key
	s.mu.Unlock()
	// The address follows from the key alone: publish it now, before tor
	// runs and whether or not there is a network.
	if err := s.cfg.State.WriteOnionHostname(key.hostname()); err != nil {
		return "", err
	}
	s.logf("onion address %s (port %d to %s)", key.hostname(), s.cfg.VirtualPort, s.cfg.Target)
	if err := s.writeTorrc(); err != nil {
		return "", fmt.Errorf("data directory %s is unusable: %w", s.cfg.DataDir, err)
	}
	if err := s.verifyConfig(torPath); err != nil {
		return "", err
	}
	return torPath, nil
}

// unwrapExecErr drops exec's own "exec: \"tor\":" prefix, which repeats the
// name.
func unwrapExecErr(err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		return ee.Err
	}
	return err
}

// ensurePrivateDir makes dir (mode 0700) or makes an existing one 0700, and
// proves it is writable.
func ensurePrivateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if st.Mode().Perm() != 0o700 {
		if err := os.Chmod(dir, 0o700); err != nil {
			return err
		}
	}
	probe, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return err
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// writeTorrc writes the torrc tor reads: only an %include of the extra
// file. (tor refuses /dev/null as its torrc, and without -f it would read the
// system's.)
func (s *Service) writeTorrc() error {
	text := "# Written by installer-console at each start; changes are lost.\n" +
		"# Options on tor's command line take precedence over these lines.\n"
	if s.cfg.TorrcExtra != "" {
		text += "%include " + s.cfg.TorrcExtra + "\n"
	}
	return atomicfile.Write(s.TorrcPath(), []byte(text), 0o600)
}

// torArgs is tor's command line (see the package doc).
func (s *Service) torArgs() []string {
	socks := s.cfg.Socks
	if socks == SocksOff {
		socks = "0"
	}
	return []string{
		// Neither the system's torrc nor its defaults: only what we say.
		"--defaults-torrc", os.DevNull,
		"-f", s.TorrcPath(),
		// tor must stay our child, whatever the extra lines say.
		"--RunAsDaemon", "0",
		"--hush",
		"--DataDirectory", s.TorDataDir(),
		"--ControlSocket", s.ControlSocketPath(),
		"--CookieAuthentication", "1",
		"--SocksPort", socks,
		"--__OwningControllerProcess", strconv.Itoa(os.Getpid()),
	}
}

// verifyConfig runs tor --verify-config, so that a broken extra torrc is a
// clear error at once rather than a tor that dies at every restart.
func (s *Service) verifyConfig(torPath string) error {
	out := &torOutput{logf: func(string, ...any) {}}
	cmd := exec.Command(torPath, append([]string{"--verify-config"}, s.torArgs()...)...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		out.flush()
		msg := fmt.Sprintf("tor rejects the configuration (%v)", err)
		if p := out.problemText(); p != "" {
			msg += ": " + p
		}
		if s.cfg.TorrcExtra != "" {
			msg += "; check " + s.cfg.TorrcExtra
		}
		return errors.New(msg)
	}
	return nil
}

// torOutput receives tor's stdout and stderr: each line goes to the log,
// and warnings and errors are kept to explain a failure.
type torOutput struct {
	logf func(string, ...any)

	mu       sync.Mutex
	partial  []byte
	problems []string
}

func (o *torOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.partial = append(o.partial, p...)
	for {
		i := strings.IndexByte(string(o.partial), '\n')
		if i < 0 {
			break
		}
		o.line(string(o.partial[:i]))
		o.partial = o.partial[i+1:]
	}
	return len(p), nil
}

func (o *torOutput) flush() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.partial) > 0 {
		o.line(string(o.partial))
		o.partial = nil
	}
}

// line handles one line of tor's output, like
// "Nov 23 11:28:37.850 [warn] Failed to parse/validate config: ...".
func (o *torOutput) line(l string) {
	l = strings.TrimSpace(l)
	if i := strings.Index(l, " ["); i >= 0 && i <= 20 {
		l = l[i+1:] // the journal has its own timestamps
	}
	if l == "" || strings.Contains(l, "running Tor as root") {
		// The installer's services run as root by design; tor says so at
		// every start, which is noise in the journal.
		return
	}
	o.logf("tor: %s", l)
	for _, sev := range []string{"[warn] ", "[err] "} {
		if msg, ok := strings.CutPrefix(l, sev); ok && !strings.Contains(msg, "see warnings above") {
			o.problems = append(o.problems, msg)
			if len(o.problems) > 2 {
				o.problems = o.problems[1:]
			}
		}
	}
}

func (o *torOutput) problemText() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.problems, " ")
}
