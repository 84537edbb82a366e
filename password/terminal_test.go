package password

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns both ends of a new pseudo-terminal.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// typeAt answers each prompt the terminal shows with the next answer, and
// returns everything the terminal showed.
func typeAt(t *testing.T, master *os.File, answers ...string) <-chan string {
	shown := make(chan string, 1)
	go func() {
		var seen strings.Builder
		r := bufio.NewReader(master)
		for _, answer := range answers {
			for !strings.HasSuffix(seen.String(), ": ") {
				b, err := r.ReadByte()
				if err != nil {
					shown <- seen.String()
					return
				}
				seen.WriteByte(b)
			}
			master.WriteString(answer + "\n")
			seen.WriteString("|")
		}
		shown <- seen.String()
	}()
	return shown
}

func readFromTerminal(t *testing.T, answers ...string) (pw string, err error, shown string) {
	t.Helper()
	master, tty := openPTY(t)
	display := typeAt(t, master, answers...)
	// The prompts go to the terminal too, as they do for a user.
	pw, err = ReadChosenFromTerminal(tty, tty)
	select {
	case shown = <-display:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal side did not finish")
	}
	return pw, err, shown
}

func TestReadChosenFromTerminal(t *testing.T) {
	pw, err, shown := readFromTerminal(t, "typed without echo", "typed without echo")
	if err != nil || pw != "typed without echo" {
		t.Fatalf("got %q, %v", pw, err)
	}
	if !strings.Contains(shown, "New root password: |") || !strings.Contains(shown, "Repeat it: |") {
		t.Errorf("terminal showed %q, want both prompts", shown)
	}
	if strings.Contains(shown, "typed") {
		t.Errorf("the password was echoed: %q", shown)
	}
}

func TestReadChosenFromTerminalMismatch(t *testing.T) {
	_, err, _ := readFromTerminal(t, "first attempt here", "second attempt here")
	if err == nil || !strings.Contains(err.Error(), "differ") {
		t.Fatalf("got %v, want an error saying the passwords differ", err)
	}
}

func TestReadChosenFromTerminalTooShort(t *testing.T) {
	_, err, _ := readFromTerminal(t, "short")
	if err == nil || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("got %v, want an error saying it is too short", err)
	}
}
