package password

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sys/unix"
)

const (
	// MinChosenLength is the fewest characters a chosen password may have.
	MinChosenLength = 8
	// MaxChosenBytes bounds a chosen password; crypt(3) and SSH clients
	// cope with far more, but nobody types more than this.
	MaxChosenBytes = 512
)

// CheckChosen says why a password a user chose cannot be used, or returns
// nil. Besides the length it rejects what would be lost or change meaning on
// the way: control characters (a line break would start a second chpasswd
// line), leading or trailing white space (the state file is read trimmed,
// so viewers would show a different password) and invalid UTF-8.
func CheckChosen(pw string) error {
	switch {
	case pw == "":
		return errors.New("the password is empty")
	case len(pw) > MaxChosenBytes:
		return fmt.Errorf("the password is too long: %d bytes, at most %d", len(pw), MaxChosenBytes)
	case !utf8.ValidString(pw):
		return errors.New("the password is not valid UTF-8 text")
	}
	for _, r := range pw {
		if unicode.IsControl(r) {
			return fmt.Errorf("the password contains a control character (%U); use printable characters only", r)
		}
	}
	if strings.TrimSpace(pw) != pw {
		return errors.New("the password starts or ends with white space")
	}
	if n := utf8.RuneCountInString(pw); n < MinChosenLength {
		return fmt.Errorf("the password is too short: %d characters, at least %d", n, MinChosenLength)
	}
	return nil
}

// ReadChosen reads a chosen password from r: a single line, with or without
// its line ending. It is checked with CheckChosen.
func ReadChosen(r io.Reader) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxChosenBytes+3))
	if err != nil {
		return "", fmt.Errorf("reading the password from standard input: %w", err)
	}
	line, rest, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(rest) > 0 {
		return "", errors.New("standard input holds more than one line; give the password on a single line")
	}
	pw := string(line)
	if err := CheckChosen(pw); err != nil {
		return "", err
	}
	return pw, nil
}

// ReadChosenFromTerminal asks for a password on the terminal tty without
// echoing it, twice so that a typo cannot lock the user out, writing the
// prompts to prompts.
func ReadChosenFromTerminal(tty *os.File, prompts io.Writer) (string, error) {
	first, err := readNoEcho(tty, prompts, "New root password: ")
	if err != nil {
		return "", err
	}
	if err := CheckChosen(first); err != nil {
		return "", err
	}
	second, err := readNoEcho(tty, prompts, "Repeat it: ")
	if err != nil {
		return "", err
	}
	if second != first {
		return "", errors.New("the two passwords differ; nothing was changed")
	}
	return first, nil
}

// readNoEcho reads one line from the terminal with echo off. Echo goes off
// before the prompt is shown (as getpass(3) does), so that even a fast typist
// or a script answering the prompt is never echoed.
func readNoEcho(tty *os.File, prompts io.Writer, prompt string) (string, error) {
	fd := int(tty.Fd())
	saved, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return "", fmt.Errorf("reading the password from the terminal: %w", err)
	}
	quiet := *saved
	quiet.Lflag &^= unix.ECHO
	quiet.Lflag |= unix.ICANON | unix.ISIG
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &quiet); err != nil {
		return "", fmt.Errorf("turning off echo on the terminal: %w", err)
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, saved)

	fmt.Fprint(prompts, prompt)
	defer fmt.Fprintln(prompts) // the user's Enter was not echoed either
	var line []byte
	buf := make([]byte, 256)
	for {
		n, err := tty.Read(buf)
		line = append(line, buf[:n]...)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			return string(bytes.TrimSuffix(line[:i], []byte("\r"))), nil
		}
		if len(line) > MaxChosenBytes {
			return "", fmt.Errorf("the password is too long: more than %d bytes", MaxChosenBytes)
		}
		if err == io.EOF || (err == nil && n == 0) {
			// Ctrl-D: take what was typed.
			return string(line), nil
		}
		if err != nil {
			return "", fmt.Errorf("reading the password from the terminal: %w", err)
		}
	}
}
