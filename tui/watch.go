package tui

import (
	"context"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/nix-community/installer-console/internal/dirwatch"
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

// startSources starts the network, state directory and host key sources.
// Each first re-reads its part once it is subscribed, so that nothing that
// changed between the first frame and the subscription is missed.
func startSources(ctx context.Context, src login.Source, send func(tea.Msg)) {
	go watchNetwork(ctx, src, send)

	go watchState(ctx, src, send)

	sshDir := src.SSHDir
	if sshDir == "" {
		sshDir = login.DefaultSSHDir
	}
	readKeys := func() {
		keys, err := login.ReadHostKeys(sshDir)
		send(hostKeysMsg{keys, err})
	}
	_, err := dirwatch.Watch(ctx, sshDir,
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

// watchState re-reads a state file whenever the state package reports a
// change to it, and all of them once it is subscribed.
func watchState(ctx context.Context, src login.Source, send func(tea.Msg)) {
	changes, err := src.State.Watch(ctx)
	if err != nil {
		send(watchFailedMsg{"state directory", err})
		return
	}
	read := func(files []string) {
		var info login.Info
		for _, f := range files {
			src.RefreshState(&info, f)
		}
		send(stateMsg{files: files, info: info})
	}
	read(state.Files)
	for c := range changes {
		read([]string{c.File})
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
