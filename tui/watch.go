package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/fsnotify/fsnotify"

	"github.com/nix-community/installer-console/login"
	"github.com/nix-community/installer-console/state"
)

// The live sources: each runs in its own goroutine, blocks on its kernel
// or bus event source (netlink, inotify, D-Bus signals) and hands what it
// read to the program as a message. None of them wakes up by itself, so an
// idle console costs no CPU, and each change reaches the screen at once.

// interfacesMsg carries the interfaces after a netlink change.
type interfacesMsg struct {
	ifs []login.Interface
	err error
}

// stateMsg carries state files read after a change; files lists which of
// info's state fields are fresh.
type stateMsg struct {
	files []string
	info  login.Info
}

// hostKeysMsg carries the SSH host keys after a change in their directory.
type hostKeysMsg struct {
	keys []login.HostKey
	err  error
}

// watchFailedMsg says a source cannot deliver live updates.
type watchFailedMsg struct {
	what string
	err  error
}

var stateFiles = []string{state.PasswordFile, state.OnionHostnameFile, state.TorStatusFile}

// startSources starts the network, state directory and host key sources.
// Each first re-reads its part once it is subscribed, so that nothing that
// changed between the first frame and the subscription is missed.
func startSources(ctx context.Context, src login.Source, send func(tea.Msg)) {
	go watchNetwork(ctx, src, send)

	readState := func(files []string) {
		var info login.Info
		for _, f := range files {
			src.RefreshState(&info, f)
		}
		send(stateMsg{files: files, info: info})
	}
	err := watchDir(ctx, src.State.Path,
		func(present bool) { readState(stateFiles) },
		func(name string) {
			for _, f := range stateFiles {
				if name == f {
					readState([]string{f})
				}
			}
		})
	if err != nil {
		go send(watchFailedMsg{"state directory", err})
	}

	sshDir := src.SSHDir
	if sshDir == "" {
		sshDir = login.DefaultSSHDir
	}
	readKeys := func() {
		keys, err := login.ReadHostKeys(sshDir)
		send(hostKeysMsg{keys, err})
	}
	err = watchDir(ctx, sshDir,
		func(bool) { readKeys() },
		func(name string) {
			if strings.HasPrefix(name, "ssh_host_") && strings.HasSuffix(name, "_key.pub") {
				readKeys()
			}
		})
	if err != nil {
		go send(watchFailedMsg{"SSH host keys", err})
	}
}

func watchNetwork(ctx context.Context, src login.Source, send func(tea.Msg)) {
	changes, err := src.Net.Watch(ctx)
	if err != nil {
		send(watchFailedMsg{"network", err})
		return
	}
	read := func() {
		ifs, err := src.Net.Interfaces()
		send(interfacesMsg{ifs, err})
	}
	read()
	for range changes {
		read()
	}
}

// watchDir reports, through inotify, what happens in directory dir until
// ctx is done: onDir(present) when it appears or goes (and once at the
// start), onFile(name) when a file in it is created, written, removed or
// renamed. While dir does not exist, its nearest existing ancestor is
// watched instead, so that a directory made later (the state directory is
// made by the boot services) is noticed at once, without polling. The
// callbacks run on one goroutine, one at a time.
func watchDir(ctx context.Context, dir string, onDir func(present bool), onFile func(name string)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("inotify: %w", err)
	}
	dw := &dirWatch{w: w, dir: filepath.Clean(dir)}
	if err := dw.follow(); err != nil {
		w.Close()
		return err
	}
	go func() {
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
	return nil
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
