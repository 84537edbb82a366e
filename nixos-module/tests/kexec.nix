# kexec/run on a running NixOS switches it into the kexec installer, which
# comes back on the same static addresses and routes, with the same SSH host
# key, machine-id and authorized keys, and shows the console on the serial
# port.
{
  pkgs,
  mkSystem,
  nixosModules,
  noPublicTor,
  ...
}:
let
  kexecTarball =
    (mkSystem [
      nixosModules.kexec-installer
      nixosModules.noninteractive
      noPublicTor
    ]).config.system.build.kexecTarball;
  tarball = "${kexecTarball}/nixos-kexec-installer-noninteractive-${pkgs.stdenv.hostPlatform.system}.tar.gz";
in
pkgs.testers.runNixOSTest {
  name = "installer-console-kexec";

  nodes.machine =
    { modulesPath, ... }:
    {
      imports = [ (modulesPath + "/profiles/minimal.nix") ];
      system.extraDependencies = [ kexecTarball ];
      virtualisation.vlans = [ ];
      virtualisation.memorySize = 1536;
      virtualisation.diskSize = 4096;
      virtualisation.forwardPorts = [
        {
          from = "host";
          host.port = 2222;
          guest.port = 22;
        }
      ];

      services.openssh.enable = true;
      networking.useNetworkd = true;
      networking.useDHCP = false;
      # Static addresses and routes that the installer must keep, next to
      # the DHCP lease of QEMU's user network. The name sorts before the
      # test framework's units.
      systemd.network.networks."01-eth0" = {
        name = "eth0";
        address = [
          "192.168.42.1/24"
          "fd42::1/64"
        ];
        routes = [
          { Destination = "192.168.43.0/24"; }
          {
            Destination = "192.168.44.0/24";
            Gateway = "192.168.43.1";
          }
          { Destination = "fd43::/64"; }
          {
            Destination = "fd44::/64";
            Gateway = "fd43::1";
          }
        ];
        networkConfig = {
          DHCP = "yes";
          IPv6AcceptRA = true;
        };
      };
    };

  testScript = ''
    tarball = "${tarball}"
    ssh_bin = "${pkgs.openssh}/bin/ssh"
  ''
  + builtins.readFile ./kexec.py;
}
