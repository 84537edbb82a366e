package state

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// Change names a state file that was written or removed.
type Change struct {
	File string // one of PasswordFile, OnionHostnameFile, TorStatusFile
}

// Watch reports changes to the state files through inotify until ctx is
// done. The directory must exist. Writes are atomic renames, so one event
// arrives per completed write; temp files are not reported.
func (d Dir) Watch(ctx context.Context) (<-chan Change, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch state directory: %w", err)
	}
	if err := w.Add(d.Path); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch state directory %s: %w", d.Path, err)
	}
	out := make(chan Change, 16)
	go func() {
		defer close(out)
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				name := filepath.Base(ev.Name)
				if !isStateFile(name) || !ev.Has(fsnotify.Create|fsnotify.Write|fsnotify.Remove|fsnotify.Rename) {
					continue
				}
				select {
				case out <- Change{File: name}:
				case <-ctx.Done():
					return
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
	return out, nil
}

func isStateFile(name string) bool {
	switch name {
	case PasswordFile, OnionHostnameFile, TorStatusFile:
		return true
	}
	return false
}
