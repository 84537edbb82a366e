# A smaller kexec installer for unattended installs (nixos-anywhere): no perl
# in the activation, no documentation, no build tools kept for offline use.
# The console still shows the login data on the screen and serial port.
{ lib, modulesPath, ... }:
{
  imports = [ (modulesPath + "/profiles/perlless.nix") ];

  system.kexec-installer.name = lib.mkDefault "nixos-kexec-installer-noninteractive";

  # nixos-install's tools still carry perl; the profile's check would fail
  # on them although activation is perl-free.
  system.forbiddenDependenciesRegexes = lib.mkForce [ ];

  # The profiles keep a compiler toolchain around for offline installs.
  system.extraDependencies = lib.mkForce [ ];

  # perlless.nix creates users with systemd-sysusers, which makes system
  # users only; the installation profile's "nixos" user must be one too.
  users.users.nixos = {
    isSystemUser = true;
    isNormalUser = lib.mkForce false;
    group = "nixos";
  };
  users.groups.nixos = { };
}
