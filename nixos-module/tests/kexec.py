import os
import subprocess
import tempfile
import time

# After the jump the machine has no test backdoor: it is reached like a real
# one, over SSH through QEMU's forwarded port, with the keys it had before.
keys = tempfile.mkdtemp()


def ssh(*command: str, known_hosts: str = "/dev/null", key: str = "root") -> subprocess.CompletedProcess:
    strict = "no" if known_hosts == "/dev/null" else "yes"
    return subprocess.run(
        [ssh_bin,
         "-o", f"StrictHostKeyChecking={strict}",
         "-o", f"UserKnownHostsFile={known_hosts}",
         "-o", "ConnectTimeout=3",
         "-o", "BatchMode=yes",
         "-i", os.path.join(keys, key),
         "-p", "2222", "root@127.0.0.1", "--", *command],
        text=True, capture_output=True)


def wait_for(what: str, condition, timeout: int = 600) -> None:
    # Polling with a deadline: the only way to see a machine reboot from outside.
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise Exception(f"timed out waiting for {what}")
        time.sleep(1)


def out(*command: str, **kwargs) -> str:
    result = ssh(*command, **kwargs)
    assert result.returncode == 0, f"{command} failed: {result.stderr}"
    return result.stdout.strip()


machine.start()
machine.wait_for_unit("multi-user.target")
machine.wait_for_unit("sshd.service")

with subtest("the machine has keys and static network state before the jump"):
    # One key in ~/.ssh/authorized_keys, one in /etc/ssh/authorized_keys.d.
    machine.succeed("install -d -m 700 /root/.ssh")
    for name in ["root", "root-keys-d"]:
        machine.succeed(f"ssh-keygen -q -t ed25519 -N \"\" -C {name} -f /root/.ssh/{name}")
        with open(os.path.join(keys, name), "w") as f:
            f.write(machine.succeed(f"cat /root/.ssh/{name}"))
        os.chmod(os.path.join(keys, name), 0o600)
    machine.succeed("cat /root/.ssh/root.pub > /root/.ssh/authorized_keys")
    machine.succeed("install -D -m 444 /root/.ssh/root-keys-d.pub /etc/ssh/authorized_keys.d/root")
    machine.wait_until_succeeds("ip -4 addr show dev eth0 | grep -F 192.168.42.1/24")
    machine.wait_until_succeeds("ip -6 addr show dev eth0 | grep -F fd42::1/64")

    host_key = machine.succeed("cat /etc/ssh/ssh_host_ed25519_key.pub").strip()
    known_hosts = os.path.join(keys, "known_hosts")
    with open(known_hosts, "w") as f:
        f.write("[127.0.0.1]:2222 " + " ".join(host_key.split()[:2]) + "\n")
    machine_id = machine.succeed("cat /etc/machine-id").strip()
    wait_for("SSH before the jump", lambda: ssh("true", known_hosts=known_hosts).returncode == 0)
    machine.succeed("touch /run/before-kexec")

with subtest("kexec/run loads the installer and says so"):
    machine.succeed(f"tar -xf {tarball} -C /root")
    machine.succeed("/root/kexec/kexec --version >&2")
    machine.succeed("/root/kexec/ip -V >&2")
    output = machine.succeed("/root/kexec/run")
    assert "machine will boot into nixos in 6s" in output, output

with subtest("the installer comes back with the same host key and authorized keys"):
    wait_for("the old system to go away", lambda: ssh("test -e /run/before-kexec").returncode != 0)
    wait_for("SSH into the installer", lambda: ssh("test ! -e /run/before-kexec", known_hosts=known_hosts).returncode == 0)
    assert out("cat", "/etc/machine-id", known_hosts=known_hosts) == machine_id, "machine-id changed"
    out("true", known_hosts=known_hosts, key="root-keys-d")
    assert out("hostname") == "nixos-installer"
    assert "VARIANT_ID=installer" in out("cat", "/etc/os-release")

with subtest("the network configuration is restored"):
    wait_for("restore-network", lambda: ssh("systemctl is-active installer-console-restore-network.service").returncode == 0)
    print(out("networkctl", "status", "--no-pager"))
    wait_for("the static addresses", lambda: ssh("ip -4 addr | grep -F 192.168.42.1/24 && ip -6 addr | grep -F fd42::1/64").returncode == 0, timeout=120)
    assert "192.168.43.2 dev" in out("ip", "route", "get", "192.168.43.2")
    assert "via 192.168.43.1" in out("ip", "route", "get", "192.168.44.2")
    assert "via fd43::1" in out("ip", "route", "get", "fd44::2")

with subtest("the installer's services run and the console is on the serial port"):
    wait_for("the password", lambda: ssh("test -s /run/installer-console/root-password").returncode == 0, timeout=120)
    out("installer-console status --json | jq -e '.password | length > 0'")
    wait_for("the console on ttyS0", lambda: ssh("pgrep -t ttyS0 -f installer-console").returncode == 0, timeout=120)

machine.crash()
