// Package kexec holds kexec/run, the POSIX sh script of the kexec tarball
// that switches a running Linux into the installer while keeping the SSH
// host keys, the authorized keys, the machine-id and the network state (see
// the header of run for what it saves and how). The Go code here is only
// its test, which runs the script against a recording kexec stub under a
// fake root.
//
// The image build must put next to run: bzImage, initrd, the static kexec
// and ip binaries, and cmdline, a one-line file with the kernel command line
// ("init=<toplevel>/init" followed by the kernel parameters). The
// installer's initrd restores the appended archive: ssh/authorized_keys to
// /root/.ssh/authorized_keys, ssh/ssh_host_* to /etc/ssh, machine-id to
// /etc/machine-id, and iproute2/*.json for `installer-console
// restore-network`.
package kexec
