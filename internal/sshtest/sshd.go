package sshtest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// startTimeout bounds how long sshd may take to start listening.
const startTimeout = 20 * time.Second

// Server is a running sshd.
type Server struct {
	// Addr is the address sshd listens on, to connect to ("127.0.0.1").
	Addr string
	// Port is its TCP port.
	Port int
	// HostKey is its public host key, "ssh-ed25519 AAAA...".
	HostKey string

	log *lockedBuffer
}

// Log returns what sshd printed so far (it runs with -e, logging to stderr).
func (s *Server) Log() string { return s.log.String() }

// KnownHostsFile writes a known_hosts file naming the server's host key for
// host (the name the client connects to; "" means Addr) and returns its path,
// for Options.KnownHosts.
func (s *Server) KnownHostsFile(t testing.TB, host string) string {
	t.Helper()
	if host == "" {
		host = s.Addr
	}
	if s.Port != 22 {
		host = "[" + host + "]:" + strconv.Itoa(s.Port)
	}
	path := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(path, []byte(host+" "+s.HostKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// StartSSHD runs the real /usr/sbin/sshd (-D -e) inside a private mount
// namespace where etcDir (from NewEtc) is /etc and a fresh tmpfs is /run, so
// it checks passwords against the copy's /etc/shadow. It has its own config
// and ed25519 host key in a temp dir and allows root to log in with a
// password (PAM off, so /etc/shadow is all that matters).
//
// listenAddr is "host" or "host:port"; empty means 127.0.0.1, and a missing
// or zero port means a free high port. extraConfig lines are appended to
// the sshd_config. StartSSHD returns once sshd reports that it listens; the
// server is stopped at cleanup, and its log shown if the test failed.
func StartSSHD(t testing.TB, etcDir, listenAddr string, extraConfig ...string) *Server {
	t.Helper()
	Require(t)
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		t.Fatal(err)
	}
	// sshd re-executes itself and insists on an absolute path.
	if sshd, err = filepath.Abs(sshd); err != nil {
		t.Fatal(err)
	}
	host, port := splitListenAddr(t, listenAddr)

	dir := t.TempDir()
	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sshtest", "-f", hostKey).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v: %s", err, out)
	}
	pub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(pub))
	if len(fields) < 2 {
		t.Fatalf("unexpected host key %q", pub)
	}

	// A free port found by listening on port 0 can be taken by someone else
	// before sshd binds it; try a few.
	fixedPort := port != 0
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		if !fixedPort {
			port = freePort(t, host)
		}
		srv := &Server{Addr: host, Port: port, HostKey: fields[0] + " " + fields[1], log: &lockedBuffer{}}
		config := filepath.Join(dir, "sshd_config")
		if err := os.WriteFile(config, []byte(sshdConfig(host, port, hostKey, extraConfig)), 0o600); err != nil {
			t.Fatal(err)
		}
		lastErr = srv.start(t, sshd, etcDir, config)
		if lastErr == nil {
			return srv
		}
		if fixedPort || !strings.Contains(lastErr.Error(), "Address already in use") {
			break
		}
	}
	t.Fatalf("sshd: %v", lastErr)
	return nil
}

func sshdConfig(host string, port int, hostKey string, extra []string) string {
	lines := []string{
		"ListenAddress " + net.JoinHostPort(host, strconv.Itoa(port)),
		"HostKey " + hostKey,
		"PermitRootLogin yes",
		"PasswordAuthentication yes",
		"KbdInteractiveAuthentication no",
		"PubkeyAuthentication no",
		"AuthorizedKeysFile none",
		"PermitEmptyPasswords no",
		"UsePAM no",
		"StrictModes no",
		"PidFile none",
		"UseDNS no",
		"LogLevel VERBOSE",
	}
	return strings.Join(append(lines, extra...), "\n") + "\n"
}

func (s *Server) start(t testing.TB, sshd, etcDir, config string) error {
	t.Helper()
	cmd := inNamespace(etcDir, exec.Command(sshd, "-D", "-e", "-f", config), true)
	// Own process group, so that cleanup also ends sshd's per-connection
	// children.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	cmd.Stdout = s.log
	if err := cmd.Start(); err != nil {
		return err
	}

	listening := make(chan struct{})
	exited := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		announced := false
		for sc.Scan() {
			line := sc.Text()
			s.log.WriteLine(line)
			if !announced && strings.Contains(line, "Server listening on") {
				announced = true
				close(listening)
			}
		}
		exited <- cmd.Wait()
	}()

	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-exited
			}
		})
	}

	select {
	case <-listening:
		t.Cleanup(func() {
			stop()
			if t.Failed() {
				t.Logf("sshd log:\n%s", s.Log())
			}
		})
		return nil
	case err := <-exited:
		return fmt.Errorf("exited before listening (%v):\n%s", err, s.Log())
	case <-time.After(startTimeout):
		stop()
		return fmt.Errorf("not listening after %s:\n%s", startTimeout, s.Log())
	}
}

func splitListenAddr(t testing.TB, addr string) (string, int) {
	t.Helper()
	if addr == "" {
		return "127.0.0.1", 0
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		// No port given: a bare host, possibly an IPv6 address in brackets.
		return strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"), 0
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		t.Fatalf("listen address %q: bad port", addr)
	}
	return host, port
}

func freePort(t testing.TB, host string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatalf("finding a free port on %s: %v", host, err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lockedBuffer collects a process's output for reading while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) WriteLine(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b.WriteString(s)
	l.b.WriteByte('\n')
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
