#!/bin/sh
# Makes the README's screenshots, docs/screenshot-status.png and
# docs/screenshot-wifi.png: the real console in tmux at 128x48 (a 1024x768
# Linux console), with demo data, a fake iwd on a private D-Bus daemon and
# network namespaces, drawn with a Terminus console font in the installer's
# Tango colours. Needs root, tmux, dbus, iproute2, util-linux and
# console-setup-linux (the font).
set -eu
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=local
mkdir -p docs
INSTALLER_CONSOLE_SCREENSHOTS="$PWD/docs" go test -count=1 -run '^TestScreenshots$' -v ./tui/
