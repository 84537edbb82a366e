# The installer-console module in a VM, with a second machine as the client.
{ pkgs, nixosModules, ... }:
pkgs.testers.runNixOSTest {
  name = "installer-console-module";

  nodes.installer =
    { pkgs, ... }:
    {
      imports = [ nixosModules.installer-console ];
      services.installer-console = {
        enable = true;
        # A test never talks to the public Tor network.
        tor.extraConfig = "DisableNetwork 1";
      };
      # The test framework's unit for eth1 sorts before the module's own
      # ethernet unit, so mDNS is switched on for it here.
      systemd.network.networks."40-eth1".networkConfig.MulticastDNS = true;
      environment.systemPackages = [ pkgs.jq ];
    };

  nodes.client =
    { pkgs, ... }:
    {
      networking.useNetworkd = true;
      services.resolved.enable = true;
      services.resolved.settings.Resolve.MulticastDNS = true;
      systemd.network.networks."40-eth1".networkConfig.MulticastDNS = true;
      networking.firewall.allowedUDPPorts = [ 5353 ];
      environment.systemPackages = [ pkgs.sshpass ];
    };

  testScript = builtins.readFile ./module.py;
}
