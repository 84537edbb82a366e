#!/bin/sh
# Measures the console's performance goals on this machine and prints the
# numbers: time to the first frame, latency from a state change (state
# file written, address added over netlink, key press) to the redrawn
# frame, bytes written to the terminal per change, and CPU used while idle
# (from /proc/PID/task/*/schedstat, over 60 s; goal: at most 5 ms per 10 s).
# The real binary runs on a pseudo-terminal of 80x24 in a network
# namespace of its own. Needs root (network namespaces) and iproute2.
#
#   tui/bench/run.sh            the full run, a little over a minute
#   IDLE=10s tui/bench/run.sh   a shorter idle measurement
set -eu
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN=local
INSTALLER_CONSOLE_BENCH=1 INSTALLER_CONSOLE_BENCH_IDLE="${IDLE:-60s}" \
	go test -count=1 -run '^TestConsoleBench$' -v ./tui/
# The CPU cost of one redraw (update, view, diff), in-process.
go test -count=1 -run '^$' -bench '^BenchmarkRedraw$' -benchmem ./tui/
