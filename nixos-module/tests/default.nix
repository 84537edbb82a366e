# The flake's checks for one system and one nixpkgs: the VM tests of the
# module and of every image, and the closure check.
{
  nixpkgs,
  system,
  nixosModules,
  channel,
}:
let
  pkgs = nixpkgs.legacyPackages.${system};
  inherit (pkgs) lib;

  args = {
    inherit pkgs nixosModules;

    mkSystem =
      modules:
      nixpkgs.lib.nixosSystem {
        modules = modules ++ [ { nixpkgs.hostPlatform = system; } ];
      };

    # Images under test never talk to the public Tor network.
    noPublicTor.services.installer-console.tor.extraConfig = "DisableNetwork 1";

    # The test driver's backdoor, for images booted by hand in QEMU.
    testInstrumentation =
      { modulesPath, ... }:
      {
        imports = [ (modulesPath + "/testing/test-instrumentation.nix") ];
      };
  };

  tests = {
    module = import ./module.nix args;
    wifi = import ./wifi.nix args;
    closure-no-python = import ./closure.nix args;
  }
  // import ./boot.nix args
  // lib.optionalAttrs pkgs.stdenv.hostPlatform.isx86_64 {
    kexec = import ./kexec.nix args;
  };
in
lib.mapAttrs' (name: lib.nameValuePair "${name}-nixos-${channel}") tests
