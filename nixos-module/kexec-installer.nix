# The kexec tarball: unpacked on any running Linux, kexec/run switches the
# machine into this installer in RAM, keeping its SSH host keys, authorized
# keys, machine-id and static network configuration.
# Result: <name>-<system>.tar.gz holding kexec/{bzImage,initrd,cmdline,run,kexec,ip}.
{
  config,
  lib,
  pkgs,
  modulesPath,
  ...
}:
let
  cfg = config.system.kexec-installer;
  inherit (config.system) build;
in
{
  imports = [
    (modulesPath + "/installer/netboot/netboot-minimal.nix")
    ./installer-base.nix
    ./serial-console.nix
    ./kexec-handover.nix
  ];

  options.system.kexec-installer.name = lib.mkOption {
    type = lib.types.strMatching "[A-Za-z0-9._-]+";
    default = "nixos-kexec-installer";
    example = "nixos-kexec-installer-noninteractive";
    description = ''
      File name of the tarball, without the `-<system>.tar.gz` suffix.
    '';
  };

  config = {
    system.build.kexecTarball =
      pkgs.runCommand "${cfg.name}-${pkgs.stdenv.hostPlatform.system}"
        {
          # kexec/run needs these to work on systems that have neither.
          kexecBin = lib.getExe' pkgs.pkgsStatic.kexec-tools "kexec";
          ipBin = lib.getExe' pkgs.pkgsStatic.iproute2 "ip";
          cmdline = "init=${build.toplevel}/init ${toString config.boot.kernelParams}";
          passAsFile = [ "cmdline" ];
          nativeBuildInputs = [ pkgs.buildPackages.file ];
        }
        ''
          mkdir -p kexec $out
          cp ${build.netbootRamdisk}/initrd kexec/initrd
          cp ${build.kernel}/${config.system.boot.loader.kernelFile} kexec/bzImage
          cp "$cmdlinePath" kexec/cmdline
          echo >> kexec/cmdline
          install -m 0755 ${../kexec/run} kexec/run
          install -m 0755 "$kexecBin" kexec/kexec
          install -m 0755 "$ipBin" kexec/ip
          for tool in kexec/kexec kexec/ip; do
            if ! file -L "$tool" | grep -Eq 'statically linked|static-pie linked'; then
              echo "$tool is not statically linked: $(file -L "$tool")" >&2
              exit 1
            fi
          done
          chmod 0644 kexec/initrd kexec/bzImage kexec/cmdline
          tar --owner=0 --group=0 --numeric-owner --sort=name --mtime=@1 \
            -czf $out/${cfg.name}-${pkgs.stdenv.hostPlatform.system}.tar.gz kexec
        '';

    # Lets scripts tell that they run in the kexec installer.
    environment.etc.is_kexec.text = "true";
  };
}
