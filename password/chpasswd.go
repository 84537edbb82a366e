package password

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"strings"
	"time"
)

// ErrChpasswdMissing means the chpasswd program was not found.
var ErrChpasswdMissing = errors.New("chpasswd not found")

// chpasswdTimeout bounds a chpasswd run; it waits for the passwd lock, which
// another tool may hold for a moment, but never for long.
const chpasswdTimeout = time.Minute

// Chpasswd sets account passwords with the chpasswd program (shadow), which
// hashes them the way the system is configured to (PAM or login.defs).
type Chpasswd struct {
	// Path of the program; empty means "chpasswd" looked up in PATH.
	Path string
	// User whose password is set; empty means root.
	User string
}

func (c Chpasswd) user() string {
	if c.User == "" {
		return "root"
	}
	return c.User
}

// Set makes pw the password of the user. The password travels on
// chpasswd's standard input only: never in its arguments or environment,
// where other users could read it in /proc, and never in error messages.
func (c Chpasswd) Set(ctx context.Context, pw string) error {
	user := c.user()
	if user == "" || strings.ContainsAny(user, ":\n\r\x00") {
		return fmt.Errorf("user name %q cannot be given to chpasswd", user)
	}
	if pw == "" || strings.ContainsAny(pw, "\n\r\x00") {
		// A line break would end chpasswd's input line early.
		return errors.New("the password is empty or contains a line break")
	}
	path := c.Path
	if path == "" {
		p, err := exec.LookPath("chpasswd")
		if err != nil {
			return fmt.Errorf("%w in PATH (it comes with shadow, the passwd package)", ErrChpasswdMissing)
		}
		path = p
	}

	ctx, cancel := context.WithTimeout(ctx, chpasswdTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path)
	cmd.Stdin = strings.NewReader(user + ":" + pw + "\n")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w at %s", ErrChpasswdMissing, path)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s did not finish within %s", path, chpasswdTimeout)
	case ctx.Err() != nil:
		return fmt.Errorf("%s was interrupted: %w", path, ctx.Err())
	case err != nil:
		// chpasswd does not print passwords, but its messages end up in the
		// journal, so make sure.
		msg := strings.TrimSpace(strings.ReplaceAll(out.String(), pw, "<password>"))
		if msg == "" {
			return fmt.Errorf("%s failed for user %s: %w", path, user, err)
		}
		return fmt.Errorf("%s failed for user %s: %w: %s", path, user, err, msg)
	}
	return nil
}
