# WiFi end to end on simulated radios (mac80211_hwsim): hostapd serves a
# WPA2 network with a DHCP server on one radio, iwd drives the other, and
# `installer-console wifi connect` must end with an address on the link.
{ pkgs, nixosModules, ... }:
let
  ssid = "installer-test";
  passphrase = "correct horse battery staple";
  # hostapd's own configuration format, so that the test does not depend
  # on the options of NixOS's hostapd module.
  hostapdConf = pkgs.writeText "hostapd.conf" ''
    interface=wlan0
    driver=nl80211
    ssid=${ssid}
    hw_mode=g
    channel=6
    wpa=2
    wpa_key_mgmt=WPA-PSK
    rsn_pairwise=CCMP
    wpa_passphrase=${passphrase}
  '';
in
pkgs.testers.runNixOSTest {
  name = "installer-console-wifi";

  nodes.machine =
    { pkgs, ... }:
    {
      imports = [ nixosModules.installer-console ];
      services.installer-console = {
        enable = true;
        tor.enable = false;
      };
      environment.systemPackages = [ pkgs.jq ];

      # Two simulated radios: phy0/wlan0 is the access point, phy1/wlan1 is
      # the installer's WiFi card.
      boot.kernelModules = [ "mac80211_hwsim" ];
      networking.wireless.iwd.settings.DriverQuirks.DefaultInterface = "*";
      systemd.services.iwd.serviceConfig.ExecStart = [
        ""
        "${pkgs.iwd}/libexec/iwd --nophys phy0"
      ];

      systemd.services.test-access-point = {
        wantedBy = [ "multi-user.target" ];
        after = [ "sys-subsystem-net-devices-wlan0.device" ];
        bindsTo = [ "sys-subsystem-net-devices-wlan0.device" ];
        serviceConfig.ExecStart = "${pkgs.hostapd}/bin/hostapd ${hostapdConf}";
      };
      # The access point's side of the link hands out addresses; its unit
      # sorts before the module's WiFi unit.
      systemd.network.networks."10-access-point" = {
        matchConfig.Name = "wlan0";
        address = [ "192.168.77.1/24" ];
        networkConfig.DHCPServer = true;
        dhcpServerConfig = {
          PoolOffset = 100;
          PoolSize = 20;
        };
      };
      networking.firewall.allowedUDPPorts = [ 67 ];
    };

  testScript = ''
    ssid = "${ssid}"
    passphrase = "${passphrase}"
  ''
  + builtins.readFile ./wifi.py;
}
