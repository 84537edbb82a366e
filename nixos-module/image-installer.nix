# The installer ISO (BIOS and UEFI, CD-ROM and USB stick):
# iso/nixos-installer-<system>.iso in the build result.
{
  lib,
  pkgs,
  modulesPath,
  ...
}:
{
  imports = [
    (modulesPath + "/installer/cd-dvd/installation-cd-base.nix")
    ./installer-base.nix
  ];

  # installation-cd-base names the file nixos-<edition>-<version>-<system>.
  image.baseName = lib.mkForce "nixos-installer-${pkgs.stdenv.hostPlatform.system}";

  isoImage.squashfsCompression = "zstd -Xcompression-level 19";
  isoImage.makeEfiBootable = true;
  isoImage.makeUsbBootable = true;
}
