package tor

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/nix-community/installer-console/internal/testtool"
	"github.com/nix-community/installer-console/state"
)

// These tests run the real Debian tor, offline: DisableNetwork 1 comes in
// through the extra torrc file, SOCKS is on a free loopback port.

func TestHostnameFastOnionAddedKeyPrivate(t *testing.T) {
	cfg := offlineConfig(t)
	w := watchState(t, cfg.State)
	start := time.Now()
	r := startService(t, cfg)

	host := w.waitHostname(t, 5*time.Second)
	t.Logf("onion hostname in the state directory after %v", time.Since(start))
	if !state.ValidOnionHostname(host) {
		t.Fatalf("hostname %q is not a v3 onion address", host)
	}
	fromKey, err := HostnameFromKeyFile(r.svc.KeyPath())
	if err != nil || fromKey != host {
		t.Fatalf("key file gives %q (%v), state has %q", fromKey, err, host)
	}

	// "bootstrapping" is written only once tor holds the onion service.
	st := w.waitStatus(t, "bootstrapping", 30*time.Second, func(s state.TorStatus) bool {
		return s.State == state.TorBootstrapping
	})
	if st.Published || st.Restarts != 0 || st.LastError != "" {
		t.Errorf("offline status: %+v", st)
	}
	id := strings.TrimSuffix(host, ".onion")
	if ids := detachedOnions(t, r.svc); !slices.Contains(ids, id) {
		t.Fatalf("GETINFO onions/detached = %q, want %s", ids, id)
	}

	for path, want := range map[string]os.FileMode{
		r.svc.KeyPath():    0o600,
		cfg.DataDir:        0o700,
		r.svc.TorDataDir(): 0o700,
	} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %04o, want %04o", path, st.Mode().Perm(), want)
		}
	}

	if err := r.stop(t); err != nil {
		t.Fatalf("Run after stop: %v", err)
	}
	if s, _ := cfg.State.ReadTorStatus(); s.State != state.TorStopped || s.Published {
		t.Errorf("after stop: %+v", s)
	}
}

func TestAddressSurvivesRestartsAndKill9(t *testing.T) {
	cfg := offlineConfig(t)
	w := watchState(t, cfg.State)

	first := startService(t, cfg)
	host := w.waitHostname(t, 5*time.Second)
	w.waitStatus(t, "bootstrapping", 30*time.Second, func(s state.TorStatus) bool {
		return s.State == state.TorBootstrapping
	})
	oldPID := first.svc.TorPID()
	if err := first.stop(t); err != nil {
		t.Fatal(err)
	}
	// tor is gone with the service: the pid is reaped, not a zombie.
	if err := syscall.Kill(oldPID, 0); err != syscall.ESRCH {
		t.Fatalf("tor (pid %d) still exists after the service stopped: %v", oldPID, err)
	}

	// A new service, as after a reboot: the runtime state is gone, the
	// data directory is kept.
	os.Remove(cfg.State.OnionHostnamePath())
	second := startService(t, cfg)
	if h := w.waitHostname(t, 5*time.Second); h != host {
		t.Fatalf("after restarting the service the address is %s, was %s", h, host)
	}
	w.waitStatus(t, "bootstrapping", 30*time.Second, func(s state.TorStatus) bool {
		return s.State == state.TorBootstrapping
	})

	id := strings.TrimSuffix(host, ".onion")
	for i := 1; i <= 3; i++ {
		pid := second.svc.TorPID()
		if pid == 0 {
			t.Fatal("no tor pid while bootstrapping")
		}
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		st := w.waitStatus(t, "restarted after kill -9", 30*time.Second, func(s state.TorStatus) bool {
			return s.Restarts == i && s.State == state.TorBootstrapping
		})
		if !strings.Contains(st.LastError, "killed") {
			t.Errorf("last_error after kill -9 = %q, want it to say tor was killed", st.LastError)
		}
		if newPID := second.svc.TorPID(); newPID == pid || newPID == 0 {
			t.Fatalf("tor pid after restart %d (killed %d)", newPID, pid)
		}
		if h, err := cfg.State.ReadOnionHostname(); err != nil || h != host {
			t.Fatalf("after kill -9 number %d the address is %q (%v), was %s", i, h, err, host)
		}
		if ids := detachedOnions(t, second.svc); !slices.Contains(ids, id) {
			t.Fatalf("after kill -9 number %d: onions/detached = %q, want %s", i, ids, id)
		}
	}
	if !strings.Contains(second.log.String(), "restarting tor") {
		t.Errorf("the log does not say tor is being restarted:\n%s", second.log.String())
	}
}

func TestCorruptKeyMovedAsideAndReplaced(t *testing.T) {
	cfg := offlineConfig(t)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	garbage := []byte("this is not a key\n")
	keyPath := filepath.Join(cfg.DataDir, KeyFileName)
	if err := os.WriteFile(keyPath, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	w := watchState(t, cfg.State)
	r := startService(t, cfg)
	host := w.waitHostname(t, 5*time.Second)
	w.waitStatus(t, "bootstrapping", 30*time.Second, func(s state.TorStatus) bool {
		return s.State == state.TorBootstrapping
	})

	aside, _ := filepath.Glob(keyPath + ".corrupt-*")
	if len(aside) != 1 {
		t.Fatalf("corrupt key files set aside: %v, want one", aside)
	}
	if data, err := os.ReadFile(aside[0]); err != nil || !bytes.Equal(data, garbage) {
		t.Fatalf("the corrupt key was not kept as it was: %q, %v", data, err)
	}
	if h, err := HostnameFromKeyFile(keyPath); err != nil || h != host {
		t.Fatalf("new key gives %q (%v), state has %q", h, err, host)
	}
	log := r.log.String()
	if !strings.Contains(log, "corrupt") || !strings.Contains(log, aside[0]) || !strings.Contains(log, host) {
		t.Fatalf("the log does not say the key was corrupt, where it went and the new address:\n%s", log)
	}
}

func TestKeyWithLooseModeIsKeptAndFixed(t *testing.T) {
	cfg := offlineConfig(t)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	logs := []string{}
	key, err := loadOrCreateKey(cfg.DataDir, func(f string, a ...any) { logs = append(logs, f) })
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(cfg.DataDir, KeyFileName)
	os.Chmod(keyPath, 0o644)
	again, err := loadOrCreateKey(cfg.DataDir, func(f string, a ...any) { logs = append(logs, f) })
	if err != nil {
		t.Fatal(err)
	}
	if again.hostname() != key.hostname() {
		t.Fatalf("a key with mode 0644 was replaced: %s, was %s", again.hostname(), key.hostname())
	}
	if st, _ := os.Stat(keyPath); st.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %04o, want 0600", st.Mode().Perm())
	}
	if len(logs) != 2 {
		t.Fatalf("log lines %q, want one for the new key and one for the mode", logs)
	}
}

// A key made by the service works in a plain tor's HiddenServiceDir, which
// derives the same hostname: the file really has tor's format.
func TestKeyFileIsTorsFormat(t *testing.T) {
	cfg := offlineConfig(t)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	key, err := loadOrCreateKey(cfg.DataDir, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	hsDir := filepath.Join(t.TempDir(), "hs")
	dataDir := filepath.Join(t.TempDir(), "data")
	for _, d := range []string{hsDir, dataDir} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(filepath.Join(cfg.DataDir, KeyFileName))
	if err := os.WriteFile(filepath.Join(hsDir, KeyFileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer watcher.Close()
	if err := watcher.Add(hsDir); err != nil {
		t.Fatal(err)
	}
	// The extra torrc has DisableNetwork 1: tor loads the key, writes the
	// hostname file and goes nowhere.
	cmd := exec.Command(cfg.TorPath, "--defaults-torrc", os.DevNull, "-f", cfg.TorrcExtra, "--hush",
		"--DataDirectory", dataDir, "--SocksPort", "0",
		"--__OwningControllerProcess", strconv.Itoa(os.Getpid()),
		"--HiddenServiceDir", hsDir, "--HiddenServicePort", "22 127.0.0.1:22")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	deadline := time.After(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(hsDir, "hostname")); err == nil {
			break
		}
		select {
		case <-watcher.Events:
		case err := <-watcher.Errors:
			t.Fatal(err)
		case <-deadline:
			t.Fatal("tor wrote no hostname file for our key within 30 s")
		}
	}
	got, err := os.ReadFile(filepath.Join(hsDir, "hostname"))
	if err != nil {
		t.Fatalf("tor wrote no hostname for our key: %v", err)
	}
	if strings.TrimSpace(string(got)) != key.hostname() {
		t.Fatalf("tor derives %q from our key, we derive %q", got, key.hostname())
	}
}

func TestMissingTorBinary(t *testing.T) {
	for _, torPath := range []string{"/nonexistent/bin/tor", "installer-console-no-such-tor"} {
		cfg := offlineConfig(t)
		cfg.TorPath = torPath
		cfg.Log = testtool.NewLog(t, "service")
		svc, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		err = svc.Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), "tor binary") || !strings.Contains(err.Error(), torPath) {
			t.Fatalf("tor %s: got %v, want an error naming the missing tor binary", torPath, err)
		}
		st, _ := cfg.State.ReadTorStatus()
		if st.State != state.TorError || st.LastError != err.Error() {
			t.Fatalf("status after a missing tor: %+v", st)
		}
	}
}

func TestUnusableDataDir(t *testing.T) {
	cfg := offlineConfig(t)
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, nil, 0o644)
	for _, dir := range []string{file, filepath.Join(file, "tor")} {
		cfg.DataDir = dir
		cfg.Log = testtool.NewLog(t, "service")
		svc, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		err = svc.Run(context.Background())
		if err == nil || !strings.Contains(err.Error(), "data directory "+dir+" is unusable") {
			t.Fatalf("data dir %s: got %v, want an error naming the unusable directory", dir, err)
		}
	}
}

func TestConfigTorRejectsIsFatal(t *testing.T) {
	cfg := offlineConfig(t)
	os.WriteFile(cfg.TorrcExtra, []byte("DisableNetwork 1\nNoSuchTorOption 1\n"), 0o644)
	cfg.Log = testtool.NewLog(t, "service")
	svc, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	err = svc.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "rejects") || !strings.Contains(err.Error(), "NoSuchTorOption") ||
		!strings.Contains(err.Error(), cfg.TorrcExtra) {
		t.Fatalf("got %v, want tor's complaint about NoSuchTorOption and the file name", err)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{VirtualPort: 70000}, "port 70000"},
		{Config{Target: "127.0.0.1"}, "target"},
		{Config{Target: "127.0.0.1:0"}, "target"},
		{Config{Socks: "localhost"}, "SOCKS"},
	} {
		if _, err := New(c.cfg); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v) = %v, want an error about %s", c.cfg, err, c.want)
		}
	}
	for _, off := range []string{"off", "0"} {
		svc, err := New(Config{Socks: off})
		if err != nil {
			t.Fatal(err)
		}
		if args := strings.Join(svc.torArgs(), " "); !strings.Contains(args, "--SocksPort 0") {
			t.Errorf("--socks %s gives tor %s", off, args)
		}
	}
}

func TestRestartDelayIsBounded(t *testing.T) {
	prev := time.Duration(0)
	for n := 1; n < 40; n++ {
		d := restartDelay(n)
		if d < prev || d > maxRestartDelay || d < minRestartDelay {
			t.Fatalf("restartDelay(%d) = %v after %v", n, d, prev)
		}
		prev = d
	}
	if prev != maxRestartDelay {
		t.Fatalf("the delay tops out at %v, want %v", prev, maxRestartDelay)
	}
}

// A tor that fails to start (here: its SOCKS port is taken) is retried with
// a growing delay, and the status says why in tor's words.
func TestTorThatCannotStartIsRetriedWithItsReason(t *testing.T) {
	cfg := offlineConfig(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg.Socks = taken.Addr().String()
	// With DisableNetwork tor opens no SOCKS port, so this tor has the
	// network on, but knows only an authority on 127.0.0.1:1; it fails
	// while reading its configuration anyway, before any connection.
	private := "TestingTorNetwork 1\nUseDefaultFallbackDirs 0\n" +
		"DirAuthority fake orport=2 v3ident=71BAE58E025F5896F7497BCB016A398223571B8B 127.0.0.1:1 B8F5BD13CF217D785D1B79EBCD6C4BFD53BE1EB2\n"
	if err := os.WriteFile(cfg.TorrcExtra, []byte(private), 0o644); err != nil {
		t.Fatal(err)
	}
	w := watchState(t, cfg.State)
	r := startService(t, cfg)
	st := w.waitStatus(t, "restarting twice", 30*time.Second, func(s state.TorStatus) bool {
		return s.Restarts >= 2 && s.State == state.TorRestarting
	})
	if !strings.Contains(st.LastError, "could not start") || !strings.Contains(st.LastError, "Address already in use") {
		t.Fatalf("last_error %q, want tor's reason", st.LastError)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if st, _ := cfg.State.ReadTorStatus(); st.State != state.TorStopped || st.LastError == "" {
		t.Fatalf("after stop: %+v", st)
	}
}
