{
  description = "NixOS installer images (ISO, kexec, netboot) with installer-console";

  inputs = {
    nixos-unstable.url = "git+https://github.com/NixOS/nixpkgs?ref=nixpkgs-unstable&shallow=1";
    nixos-stable.url = "git+https://github.com/NixOS/nixpkgs?ref=nixos-26.05&shallow=1";
  };

  outputs =
    {
      self,
      nixos-unstable,
      nixos-stable,
    }:
    let
      inherit (nixos-unstable) lib;

      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = lib.genAttrs systems;

      # Image attribute names end in nixos-<channel>, as they always have.
      channels = {
        unstable = nixos-unstable;
        stable = nixos-stable;
      };

      version = self.shortRev or self.dirtyShortRev or "dev";

      # The NAR hash of `go mod vendor`; .ci/check-vendor-hash checks it and
      # prints the right one when go.mod or go.sum change.
      vendorHash = "sha256-83rwggtPilCCoJ8kKFvjn+p7AgAFpBIs+U1E89pB/t8=";

      installerConsoleFor =
        pkgs: pkgs.callPackage ./nixos-module/package.nix { inherit version vendorHash; };

      mkSystem =
        nixpkgs: system: modules:
        nixpkgs.lib.nixosSystem {
          modules = modules ++ [ { nixpkgs.hostPlatform = system; } ];
        };

      imagesFor =
        system: channel: nixpkgs:
        let
          build = modules: (mkSystem nixpkgs system modules).config.system.build;
          suffix = "nixos-${channel}";
        in
        {
          "image-installer-${suffix}" = (build [ self.nixosModules.image-installer ]).isoImage;
          "kexec-installer-${suffix}" = (build [ self.nixosModules.kexec-installer ]).kexecTarball;
          "kexec-installer-${suffix}-noninteractive" =
            (build [
              self.nixosModules.kexec-installer
              self.nixosModules.noninteractive
            ]).kexecTarball;
          "netboot-installer-${suffix}" = (build [ self.nixosModules.netboot-installer ]).netboot;
        };
    in
    {
      overlays.default = final: _prev: { installer-console = installerConsoleFor final; };

      nixosModules = {
        # The module alone, with the package built by the system's nixpkgs.
        installer-console = {
          key = "github:nix-community/installer-console#nixosModules.installer-console";
          imports = [
            ./nixos-module/installer-console.nix
            (
              { lib, pkgs, ... }:
              {
                services.installer-console.package = lib.mkDefault (installerConsoleFor pkgs);
              }
            )
          ];
        };
        default = self.nixosModules.installer-console;

        image-installer = {
          imports = [
            ./nixos-module/image-installer.nix
            self.nixosModules.installer-console
          ];
        };
        kexec-installer = {
          imports = [
            ./nixos-module/kexec-installer.nix
            self.nixosModules.installer-console
          ];
        };
        # Add to kexec-installer for the smaller noninteractive tarball.
        noninteractive = ./nixos-module/noninteractive.nix;
        netboot-installer = {
          imports = [
            ./nixos-module/netboot-installer.nix
            self.nixosModules.installer-console
          ];
        };
      };

      packages = forAllSystems (
        system:
        let
          installer-console = installerConsoleFor nixos-unstable.legacyPackages.${system};
        in
        {
          inherit installer-console;
          default = installer-console;
        }
        // lib.concatMapAttrs (imagesFor system) channels
      );

      checks = forAllSystems (
        system:
        lib.concatMapAttrs (
          channel: nixpkgs:
          import ./nixos-module/tests {
            inherit nixpkgs system channel;
            inherit (self) nixosModules;
          }
        ) channels
      );

      devShells = forAllSystems (
        system:
        let
          pkgs = nixos-unstable.legacyPackages.${system};
        in
        {
          # The tools the Go tests drive, besides Go itself.
          default = pkgs.mkShell {
            packages = with pkgs; [
              go
              gopls
              shellcheck
              jq
              tor
              torsocks
              iwd
              dbus
              openssh
              sshpass
              zbar
              iproute2
              cpio
              netcat-openbsd
              tmux
              nixfmt-tree
            ];
            shellHook = ''
              export GOTOOLCHAIN=local GOFLAGS=-mod=mod
            '';
          };
        }
      );

      formatter = forAllSystems (system: nixos-unstable.legacyPackages.${system}.nixfmt-tree);
    };
}
