# The module must not pull Python into a system: the closure of a small
# system with the module enabled may hold no Python store path that the
# same system without the module lacks.
{ pkgs, mkSystem, nixosModules, ... }:
let
  base =
    { config, ... }:
    {
      boot.loader.grub.enable = false;
      fileSystems."/" = {
        device = "/dev/vda";
        fsType = "ext4";
      };
      system.stateVersion = config.system.nixos.release;
    };
  toplevel = modules: (mkSystem ([ base ] ++ modules)).config.system.build.toplevel;
  without = pkgs.closureInfo { rootPaths = [ (toplevel [ ]) ]; };
  withModule = pkgs.closureInfo {
    rootPaths = [
      (toplevel [
        nixosModules.installer-console
        { services.installer-console.enable = true; }
      ])
    ];
  };
in
pkgs.runCommand "installer-console-adds-no-python" { } ''
  python() { grep -E '^/nix/store/[a-z0-9]{32}-python[0-9.]*-' "$1/store-paths" | sort || true; }
  python ${without} > without
  python ${withModule} > with
  comm -13 without with > added
  if [ -s added ]; then
    echo "enabling services.installer-console adds Python to the system closure:" >&2
    cat added >&2
    exit 1
  fi
  touch $out
''
