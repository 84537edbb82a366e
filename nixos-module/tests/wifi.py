# installer-console sees the network, connects with a passphrase from a file,
# and the link gets a DHCP address from the access point (the problem users
# of the old images had: connected, but no address).

machine.wait_for_unit("test-access-point.service")
machine.wait_for_unit("iwd.service")
machine.succeed(f"printf '%s' '{passphrase}' > /run/wifi-passphrase && chmod 600 /run/wifi-passphrase")

with subtest("the WiFi card and the network are listed"):
    machine.wait_until_succeeds("installer-console wifi devices --json | jq -e .", timeout=60)
    machine.wait_until_succeeds(f"installer-console wifi scan | grep -F {ssid}", timeout=60)

with subtest("connect ends with a DHCP address on the WiFi link"):
    machine.succeed(f"installer-console wifi connect {ssid} --passphrase-file /run/wifi-passphrase >&2")
    machine.wait_until_succeeds("ip -4 -o addr show dev wlan1 | grep -F 'inet 192.168.77.'", timeout=60)
    machine.succeed(
        "installer-console status --json"
        " | jq -e '[.addresses[] | select(startswith(\"192.168.77.\"))] | length == 1'"
    )

with subtest("the network is remembered"):
    machine.succeed(f"installer-console wifi known | grep -F {ssid}")
