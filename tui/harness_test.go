package tui

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nix-community/installer-console/internal/testtool"
)

// The end-to-end tests and the benchmark run the real installer-console
// binary, built once per test run.
func consoleBinary(t testing.TB) string {
	t.Helper()
	return testtool.Build(t, testtool.InstallerConsole)
}

// ptyTerminal is a pseudo-terminal whose far end a test reads byte by byte,
// time-stamped, to see exactly what the console writes and when.
type ptyTerminal struct {
	master, slave *os.File

	// answer makes the terminal reply to cursor position queries, as
	// real terminals and the Linux VT do. (Importing bubbletea makes every
	// program ask at start-up; see TestConsoleBench.)
	answer bool

	mu      sync.Mutex
	out     bytes.Buffer
	screen  *vt           // what a terminal shows after the output so far
	changed chan struct{} // closed and replaced on every read
	readErr error
}

func openPTY(t testing.TB, cols, rows int, answer bool) *ptyTerminal {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open /dev/ptmx: %v", err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("pty number: %v", err)
	}
	slave, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("open pty: %v", err)
	}
	p := &ptyTerminal{master: master, slave: slave, answer: answer, changed: make(chan struct{}), screen: newVT(cols, rows)}
	p.screen.lenient = true
	p.resize(t, cols, rows)
	t.Cleanup(func() {
		master.Close()
		slave.Close()
	})
	go p.readLoop()
	return p
}

func (p *ptyTerminal) resize(t testing.TB, cols, rows int) {
	t.Helper()
	ws := &unix.Winsize{Col: uint16(cols), Row: uint16(rows)}
	if err := unix.IoctlSetWinsize(int(p.slave.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		t.Fatalf("set pty size: %v", err)
	}
}

func (p *ptyTerminal) readLoop() {
	buf := make([]byte, 64<<10)
	for {
		n, err := p.master.Read(buf)
		if p.answer && bytes.Contains(buf[:n], []byte("\x1b[6n")) {
			_, _ = p.master.Write([]byte("\x1b[1;1R"))
		}
		p.mu.Lock()
		p.out.Write(buf[:n])
		if err == nil {
			err = p.screen.write(buf[:n])
		}
		if err != nil {
			p.readErr = err
		}
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// start runs cmd on the terminal as its controlling terminal.
func (p *ptyTerminal) start(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = p.slave, p.slave, p.slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
}

// mark returns how many bytes have been read so far.
func (p *ptyTerminal) mark() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Len()
}

// waitFor waits until the screen shows text and returns the time the
// output that made it appear was read.
func (p *ptyTerminal) waitFor(t testing.TB, text string, timeout time.Duration) time.Time {
	t.Helper()
	return p.waitUntil(t, fmt.Sprintf("%q", text), func(s string) bool { return strings.Contains(s, text) }, timeout)
}

// waitUntil waits until the screen satisfies ok.
func (p *ptyTerminal) waitUntil(t testing.TB, what string, ok func(screen string) bool, timeout time.Duration) time.Time {
	t.Helper()
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		shown := ok(p.screen.text())
		changed, err := p.changed, p.readErr
		p.mu.Unlock()
		if shown {
			return time.Now()
		}
		if err != nil {
			t.Fatalf("terminal failed before %s appeared: %v\noutput: %q", what, err, p.tail(2000))
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%s did not appear within %v; the screen shows:\n%s", what, timeout, p.text())
		}
	}
}

func (p *ptyTerminal) text() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.screen.text()
}

func (p *ptyTerminal) tail(n int) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.out.Bytes()
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// cpuTime is the CPU time a process's threads have used, from
// /proc/PID/task/*/schedstat (nanoseconds, unlike the tick-based stat).
func cpuTime(t testing.TB, pid int) time.Duration {
	t.Helper()
	paths, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/schedstat")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no schedstat for pid %d: %v", pid, err)
	}
	var total int64
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue // the thread ended
		}
		f := bytes.Fields(data)
		if len(f) == 0 {
			continue
		}
		ns, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil {
			t.Fatalf("parse %s: %v", p, err)
		}
		total += ns
	}
	return time.Duration(total)
}

func TestMain(m *testing.M) { testtool.MainWithBuilds(m) }
