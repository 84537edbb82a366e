// Package dirwatch follows one directory through inotify, even before it
// exists: a viewer started before the boot services made their directory
// (or after they removed and made it again) still sees every change,
// without polling.
package dirwatch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// Watch reports, through inotify, what happens in directory dir until
// ctx is done: onDir(present) when it appears or goes (and once at the
// start), onFile(name) when a file in it is created, written, removed or
// renamed. While dir does not exist, its nearest existing ancestor is
// watched instead, so that a directory made later (the state directory is
// made by the boot services) is noticed at once, without polling. The
// callbacks run on one goroutine, one at a time; the returned channel is
// closed when that goroutine has ended, after the last callback.
func Watch(ctx context.Context, dir string, onDir func(present bool), onFile func(name string)) (<-chan struct{}, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("inotify: %w", err)
	}
	dw := &dirWatch{w: w, dir: filepath.Clean(dir)}
	if err := dw.follow(); err != nil {
		w.Close()
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer w.Close()
		onDir(dw.present())
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if dw.present() && ev.Name != dw.dir {
					if filepath.Dir(ev.Name) == dw.dir && ev.Has(fsnotify.Create|fsnotify.Write|fsnotify.Remove|fsnotify.Rename) {
						onFile(filepath.Base(ev.Name))
					}
					continue
				}
				// The directory went, or something changed on the way
				// to it: find out where it stands now.
				was := dw.present()
				if err := dw.follow(); err != nil {
					return
				}
				if dw.present() != was {
					onDir(dw.present())
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
	return done, nil
}

// dirWatch keeps one inotify watch on a directory or, while it does not
// exist, on its nearest existing ancestor.
type dirWatch struct {
	w       *fsnotify.Watcher
	dir     string
	watched string
}

func (d *dirWatch) present() bool { return d.watched == d.dir }

// follow moves the watch to dir, or to its nearest existing ancestor.
func (d *dirWatch) follow() error {
	for {
		target := d.dir
		for !isDir(target) {
			parent := filepath.Dir(target)
			if parent == target {
				return fmt.Errorf("watch %s: no existing parent directory", d.dir)
			}
			target = parent
		}
		if target != d.watched {
			if d.watched != "" {
				_ = d.w.Remove(d.watched)
			}
			d.watched = ""
			if err := d.w.Add(target); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue // it went before we could watch it
				}
				return fmt.Errorf("watch %s: %w", target, err)
			}
			d.watched = target
		}
		// dir may have appeared between the check and the watch.
		if target != d.dir && isDir(d.dir) {
			continue
		}
		return nil
	}
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
