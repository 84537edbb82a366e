package tor

import (
	"context"
	"net"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cretz/bine/control"

	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/state"
)

// offlineConfig is a Config for a real tor that never touches any network:
// DisableNetwork 1 through the extra torrc file (the mechanism users have),
// a free loopback SOCKS port so that no test collides with a system tor or
// another test, and temp directories.
func offlineConfig(t testing.TB) Config {
	t.Helper()
	torPath := testtool.Require(t, "tor", "tor")
	dir := t.TempDir()
	extra := filepath.Join(dir, "torrc-extra")
	if err := os.WriteFile(extra, []byte("DisableNetwork 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stateDir := state.New(filepath.Join(dir, "run"))
	if err := stateDir.Ensure(); err != nil {
		t.Fatal(err)
	}
	return Config{
		TorPath:    torPath,
		DataDir:    filepath.Join(dir, "lib", "tor"),
		Target:     "127.0.0.1:22",
		Socks:      "127.0.0.1:" + strconv.Itoa(freePort(t)),
		TorrcExtra: extra,
		State:      stateDir,
	}
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// running is a Service whose Run goroutine the test controls.
type running struct {
	svc    *Service
	log    *testtool.Log
	cancel context.CancelFunc
	done   chan error
}

// startService runs a Service for cfg until stop or the end of the test.
func startService(t testing.TB, cfg Config) *running {
	t.Helper()
	lb := testtool.NewLog(t, "service")
	cfg.Log = lb
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{svc: svc, log: lb, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- svc.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop asks the service to stop and returns Run's result.
func (r *running) stop(t testing.TB) error {
	t.Helper()
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
		}
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("the service did not stop within 20 s")
		return nil
	}
}

// stateWatch follows the state directory through inotify.
type stateWatch struct {
	dir state.Dir
	ch  <-chan state.Change
}

func watchState(t testing.TB, d state.Dir) *stateWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := d.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &stateWatch{dir: d, ch: ch}
}

// waitStatus returns the first Tor status document satisfying ok, checking
// the current one and then each change.
func (w *stateWatch) waitStatus(t testing.TB, what string, timeout time.Duration, ok func(state.TorStatus) bool) state.TorStatus {
	t.Helper()
	deadline := time.After(timeout)
	var last state.TorStatus
	for {
		if s, err := w.dir.ReadTorStatus(); err == nil {
			last = s
			if ok(s) {
				return s
			}
		}
		select {
		case <-w.ch:
		case <-deadline:
			t.Fatalf("waited %v for the Tor status to be %s; last: %+v", timeout, what, last)
		}
	}
}

// waitHostname returns the onion hostname once the file exists.
func (w *stateWatch) waitHostname(t testing.TB, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if h, err := w.dir.ReadOnionHostname(); err == nil {
			return h
		}
		select {
		case <-w.ch:
		case <-deadline:
			t.Fatalf("no onion hostname in %s within %v", w.dir.Path, timeout)
		}
	}
}

// controlConn is a second, independent control connection to the service's
// tor, as an operator's tool would open.
func controlConn(t testing.TB, svc *Service) *control.Conn {
	t.Helper()
	nc, err := net.Dial("unix", svc.ControlSocketPath())
	if err != nil {
		t.Fatalf("connecting to tor's control socket: %v", err)
	}
	conn := control.NewConn(textproto.NewConn(nc))
	t.Cleanup(func() { nc.Close() })
	if err := conn.Authenticate(""); err != nil {
		t.Fatalf("authenticating to tor: %v", err)
	}
	return conn
}

// detachedOnions asks tor which detached onion services it has.
func detachedOnions(t testing.TB, svc *Service) []string {
	t.Helper()
	conn := controlConn(t, svc)
	resp, err := conn.SendRequest("GETINFO onions/detached")
	if err != nil {
		t.Fatalf("GETINFO onions/detached: %v", err)
	}
	var ids []string
	for _, d := range resp.Data {
		for _, line := range strings.Split(d, "\n") {
			line = strings.TrimSpace(strings.TrimPrefix(line, "onions/detached="))
			if line != "" && line != "OK" {
				ids = append(ids, line)
			}
		}
	}
	return ids
}
