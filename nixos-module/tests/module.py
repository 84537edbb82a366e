# The password unit set a password and the client logs in over SSH with it;
# tor wrote an onion address that survives restarts; the console runs on
# tty1, quits to a root shell and comes back after a logout; status --json
# is valid; the machine answers mDNS.

SSH = "ssh -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10"
STATE = "/run/installer-console"


def ssh_with(password: str, command: str) -> str:
    return f"SSHPASS='{password}' sshpass -e {SSH} root@installer {command}"


def unit_time(unit: str, prop: str) -> int:
    return int(installer.succeed(f"systemctl show -P {prop} {unit}").strip())


start_all()

with subtest("the password unit sets a root password before sshd starts"):
    installer.wait_for_unit("installer-console-password.service")
    installer.wait_for_unit("sshd.service")
    installer.succeed(f"test \"$(stat -c %a {STATE}/root-password)\" = 600")
    password = installer.succeed(f"cat {STATE}/root-password").strip()
    assert password, "the password file is empty"
    done = unit_time("installer-console-password.service", "ActiveEnterTimestampMonotonic")
    sshd = unit_time("sshd.service", "ExecMainStartTimestampMonotonic")
    assert done <= sshd, f"sshd started at {sshd}, before the password was set at {done}"

with subtest("a second machine logs in over SSH with the password from the state file"):
    client.wait_for_unit("multi-user.target")
    installer.wait_for_open_port(22)
    client.succeed(ssh_with(password, f"test -s {STATE}/root-password"))
    client.fail(ssh_with("not-the-password", "true"))

with subtest("status --json is valid and agrees with the state directory"):
    installer.succeed(
        "installer-console status --json"
        f" | jq -e --arg pw '{password}' '.version == 1 and .password == $pw'"
    )

with subtest("a regenerated password replaces the old one for SSH"):
    installer.succeed("installer-console password --regenerate")
    new_password = installer.succeed(f"cat {STATE}/root-password").strip()
    assert new_password != password, "password --regenerate kept the old password"
    client.succeed(ssh_with(new_password, "true"))
    client.fail(ssh_with(password, "true"))

with subtest("the tor unit writes an onion address that survives restarts"):
    installer.wait_for_unit("installer-console-tor.service")
    installer.wait_until_succeeds(
        f"grep -Eq '^[a-z2-7]{{56}}[.]onion$' {STATE}/onion-hostname", timeout=60
    )
    onion = installer.succeed(f"cat {STATE}/onion-hostname").strip()
    installer.succeed("test \"$(stat -c %a /var/lib/installer-console)\" = 700")
    installer.wait_until_succeeds(f"jq -e .state {STATE}/tor-status.json", timeout=60)
    installer.succeed(
        f"installer-console status --json | jq -e --arg onion {onion} '.tor.onion == $onion'"
    )

    old_pid = installer.succeed("systemctl show -P MainPID installer-console-tor.service").strip()
    installer.succeed("systemctl kill --signal=SIGKILL installer-console-tor.service")
    installer.wait_until_succeeds(
        "pid=$(systemctl show -P MainPID installer-console-tor.service);"
        f" [ \"$pid\" != 0 ] && [ \"$pid\" != {old_pid} ]",
        timeout=60,
    )
    installer.wait_for_unit("installer-console-tor.service")
    installer.systemctl("restart installer-console-tor.service")
    installer.wait_for_unit("installer-console-tor.service")
    installer.wait_until_succeeds(f"test \"$(cat {STATE}/onion-hostname)\" = {onion}", timeout=60)

with subtest("the tor unit runs sandboxed"):
    installer.succeed("systemd-analyze security --threshold=5 installer-console-tor.service >&2")

with subtest("the console runs on tty1, quits to a root shell and returns after logout"):
    installer.wait_until_succeeds("pgrep -t tty1 -f installer-console")
    installer.send_chars("q")
    installer.wait_until_fails("pgrep -t tty1 -f installer-console")
    installer.send_chars("touch /tmp/root-shell-on-tty1\n")
    installer.wait_for_file("/tmp/root-shell-on-tty1")
    installer.succeed("test \"$(stat -c %U /tmp/root-shell-on-tty1)\" = root")
    installer.send_chars("exit\n")
    installer.wait_until_succeeds("pgrep -t tty1 -f installer-console")

with subtest("the installer answers mDNS queries for <hostname>.local"):
    client.wait_until_succeeds("resolvectl query installer.local", timeout=60)
