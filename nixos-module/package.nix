# The installer-console binary.
{
  lib,
  buildGoModule,
  version,
  vendorHash,
}:
buildGoModule {
  pname = "installer-console";
  inherit version vendorHash;

  # The Go module without the Nix, CI and documentation files, so that
  # changing those does not rebuild the binary.
  src = lib.fileset.toSource {
    root = ../.;
    fileset = lib.fileset.difference ../. (
      lib.fileset.unions [
        (lib.fileset.fileFilter (file: lib.hasSuffix ".nix" file.name) ../.)
        (lib.fileset.fileFilter (file: lib.hasSuffix ".md" file.name) ../.)
        (lib.fileset.maybeMissing ../flake.lock)
        (lib.fileset.maybeMissing ../.github)
        (lib.fileset.maybeMissing ../.ci)
      ]
    );
  };

  subPackages = [ "cmd/installer-console" ];

  env.CGO_ENABLED = 0;

  ldflags = [
    "-s"
    "-w"
    "-X main.version=${version}"
  ];

  # The test suite drives real tor, sshd, dbus and network namespaces as
  # root, which the build sandbox does not offer; CI runs it, and the NixOS
  # VM tests in checks run the built binary.
  doCheck = false;

  meta = {
    description = "Console and boot services of the NixOS installer images";
    homepage = "https://github.com/nix-community/installer-console";
    mainProgram = "installer-console";
    platforms = lib.platforms.linux;
  };
}
