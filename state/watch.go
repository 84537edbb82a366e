package state

import (
	"context"
	"fmt"

	"github.com/nix-community/installer-console/internal/dirwatch"
)

// Change names a state file that was written or removed.
type Change struct {
	File string // one of PasswordFile, OnionHostnameFile, TorStatusFile
}

// Files are the state files, in the order viewers show them.
var Files = []string{PasswordFile, OnionHostnameFile, TorStatusFile}

// Watch reports changes to the state files through inotify until ctx is
// done; the channel is closed then. The directory need not exist yet: the
// boot services make it, and a console may start first. When it appears or
// goes, every file is reported. Read the files once after Watch returns:
// what was there before is not reported. Writes are atomic renames, so one event
// arrives per completed write; temp files are not reported.
func (d Dir) Watch(ctx context.Context) (<-chan Change, error) {
	out := make(chan Change, 16)
	send := func(file string) {
		select {
		case out <- Change{File: file}:
		case <-ctx.Done():
		}
	}
	started := false
	done, err := dirwatch.Watch(ctx, d.Path,
		func(present bool) {
			if !started { // the state at the start, not a change
				started = true
				return
			}
			for _, f := range Files {
				send(f)
			}
		},
		func(name string) {
			if isStateFile(name) {
				send(name)
			}
		})
	if err != nil {
		return nil, fmt.Errorf("watch state directory: %w", err)
	}
	go func() {
		<-done
		close(out)
	}()
	return out, nil
}

func isStateFile(name string) bool {
	for _, f := range Files {
		if name == f {
			return true
		}
	}
	return false
}
