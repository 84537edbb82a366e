package password

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"

	"github.com/nix-community/installer-console/state"
)

// Request says what Apply does.
type Request struct {
	// State is where the password is recorded for the viewers.
	State state.Dir
	// Words is the length of a generated passphrase.
	Words int
	// Regenerate replaces a password that is already set.
	Regenerate bool
	// Chosen, when not empty, is a password the user chose; it replaces the
	// current one.
	Chosen string
	// Chpasswd sets the password.
	Chpasswd Chpasswd
}

// Result says what Apply did.
type Result struct {
	// Kept is true when a password was already set and left alone.
	Kept bool
	// Generated is true when a new passphrase was made (of Request.Words
	// words); false for a kept or a chosen password.
	Generated bool
}

// Apply makes sure the account has a password that the state directory
// records, generating one unless one was chosen.
//
// The state directory is a tmpfs emptied at every boot and the password file
// is written only after chpasswd succeeded, so an existing file means this
// boot already set that password: without Regenerate or Chosen it is kept
// and chpasswd is not run again.
//
// When setting fails, the state file is left as it was, and so is the
// account: the recorded password (if any) is still the one that works.
func Apply(ctx context.Context, req Request) (Result, error) {
	if req.Chosen != "" {
		if err := CheckChosen(req.Chosen); err != nil {
			return Result{}, err
		}
	} else if err := CheckWords(req.Words); err != nil {
		return Result{}, err
	}

	// Hold the directory lock from reading the old state to writing the
	// new one, so that two runs cannot leave the file naming the password
	// that lost the race.
	if err := req.State.Ensure(); err != nil {
		return Result{}, err
	}
	unlock, err := lockDir(req.State.Path)
	if err != nil {
		return Result{}, err
	}
	defer unlock()

	if req.Chosen == "" && !req.Regenerate {
		current, err := req.State.ReadPassword()
		switch {
		case err == nil && current != "":
			return Result{Kept: true}, nil
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return Result{}, fmt.Errorf("reading %s: %w", req.State.PasswordPath(), err)
		}
	}

	pw, generated := req.Chosen, false
	if pw == "" {
		if pw, err = Generate(req.Words); err != nil {
			return Result{}, err
		}
		generated = true
	}
	if err := req.Chpasswd.Set(ctx, pw); err != nil {
		return Result{}, fmt.Errorf("the password of %s was not changed: %w", req.Chpasswd.user(), err)
	}
	if err := req.State.WritePassword(pw); err != nil {
		// The account has the new password but the file may still name
		// the old one, which no longer works: remove it rather than show
		// a wrong password.
		rmErr := os.Remove(req.State.PasswordPath())
		if rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			return Result{}, fmt.Errorf("the password of %s was changed but could not be recorded (%w), and %s, which names the old password, could not be removed: %v",
				req.Chpasswd.user(), err, req.State.PasswordPath(), rmErr)
		}
		return Result{}, fmt.Errorf("the password of %s was changed but could not be recorded: %w; set a new one", req.Chpasswd.user(), err)
	}
	return Result{Generated: generated}, nil
}

// lockDir takes an exclusive flock on the directory itself, which needs no
// extra file in the state directory.
func lockDir(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return func() { f.Close() }, nil
}
