# What the ISO, kexec and netboot images share: the installer console, a
# stateless system that boots into a root login, and the tools remote
# installers such as nixos-anywhere expect.
{
  config,
  lib,
  pkgs,
  ...
}:
{
  imports = [ ./installer-console.nix ];

  services.installer-console.enable = true;

  networking.hostName = lib.mkDefault "nixos-installer";

  # Nothing is kept between boots, so the current release is always right.
  system.stateVersion = lib.mkDefault config.system.nixos.release;

  # nixos-anywhere checks for VARIANT_ID=installer in /etc/os-release.
  system.nixos.variant_id = lib.mkDefault "installer";

  # The installation profiles log in the "nixos" user; the console needs
  # root to read the password and to manage WiFi.
  services.getty.autologinUser = lib.mkForce "root";

  # The profiles turn documentation on; it is large and the installer is
  # used remotely.
  documentation.enable = lib.mkForce false;
  documentation.nixos.enable = lib.mkForce false;
  documentation.man.enable = lib.mkForce false;

  # No copy of nixpkgs in the image: installs are evaluated elsewhere.
  system.installer.channel.enable = false;

  nix.settings.experimental-features = [
    "nix-command"
    "flakes"
  ];

  # Compressed swap in RAM helps installs on machines with little memory.
  boot.kernelParams = [
    "zswap.enabled=1"
    "zswap.max_pool_percent=50"
    "zswap.compressor=zstd"
    "zswap.zpool=zsmalloc"
  ];

  environment.systemPackages = [
    # nixos-install and nixos-generate-config, also where profiles drop them.
    pkgs.nixos-install-tools
    # disko's and nixos-anywhere's scripts use these on the target.
    pkgs.jq
    pkgs.rsync
    # nixos-anywhere --generate-hardware-config nixos-facter
    pkgs.nixos-facter
  ];
}
