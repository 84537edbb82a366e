# Kernel messages and the installer console on the serial port as well as on
# the screen, for machines reached through IPMI serial-over-LAN or a
# hypervisor's console.
{ lib, pkgs, ... }:
let
  isArm = pkgs.stdenv.hostPlatform.isAarch;
in
{
  # The last console= is /dev/console, where systemd prints boot messages.
  boot.kernelParams = [
    "console=tty0"
  ]
  ++ lib.optional isArm "console=ttyAMA0,115200"
  ++ [ "console=ttyS0,115200" ];

  services.installer-console.consoles = lib.mkDefault (
    [
      "tty1"
      "ttyS0"
      "hvc0"
    ]
    ++ lib.optional isArm "ttyAMA0"
  );
}
