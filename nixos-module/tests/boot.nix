# The images boot in QEMU the way users boot them: the ISO from CD-ROM and
# from a USB stick, with BIOS and UEFI, and the netboot image over iPXE with
# hostname= on the kernel command line. Each then runs the installer's
# services.
{
  pkgs,
  mkSystem,
  nixosModules,
  noPublicTor,
  testInstrumentation,
  ...
}:
let
  inherit (pkgs) lib;
  inherit (pkgs.stdenv.hostPlatform) system isx86_64;

  qemu-common = import (pkgs.path + "/nixos/lib/qemu-common.nix") { inherit lib pkgs; };

  startCommand =
    {
      memory ? 2048,
      cdrom ? null,
      usb ? null,
      pxe ? null,
      uefi ? false,
    }:
    lib.concatStringsSep " " (
      [
        (qemu-common.qemuBinary pkgs.qemu_test)
        "-m"
        (toString memory)
        "-netdev"
        ("user,id=net0" + lib.optionalString (pxe != null) ",tftp=${pxe},bootfile=netboot.ipxe")
        "-device"
        "virtio-net-pci,netdev=net0"
      ]
      ++ lib.optionals (cdrom != null) [
        "-cdrom"
        cdrom
      ]
      ++ lib.optionals (usb != null) [
        "-device"
        "usb-ehci"
        "-drive"
        "id=usbdisk,file=${usb},if=none,readonly=on"
        "-device"
        "usb-storage,drive=usbdisk"
      ]
      ++ lib.optionals (pxe != null) [
        "-boot"
        "order=n"
      ]
      ++ lib.optionals uefi [
        "-drive"
        "if=pflash,format=raw,unit=0,readonly=on,file=${pkgs.OVMF.firmware}"
        "-drive"
        "if=pflash,format=raw,unit=1,readonly=on,file=${pkgs.OVMF.variables}"
      ]
    );

  # What every booted image must do, whatever the medium.
  commonChecks = ''
    machine.wait_for_unit("multi-user.target")
    machine.succeed("nix store verify --no-trust -r --option experimental-features nix-command /run/current-system")
    machine.wait_for_unit("installer-console-password.service")
    machine.wait_for_unit("sshd.service")
    machine.succeed("installer-console status --json | jq -e '.password | length > 0'")
    machine.succeed("grep -Fx VARIANT_ID=installer /etc/os-release")
  '';

  bootTest =
    name: start: checks:
    pkgs.testers.runNixOSTest {
      name = "installer-console-boot-${name}";
      nodes = { };
      testScript = ''
        machine = create_machine("${start}")
        machine.start()
      ''
      + commonChecks
      + checks
      + ''
        machine.shutdown()
      '';
    };

  iso =
    (mkSystem [
      nixosModules.image-installer
      noPublicTor
      testInstrumentation
    ]).config.system.build.isoImage;
  isoFile = "${iso}/iso/nixos-installer-${system}.iso";

  isoChecks = ''
    machine.wait_until_succeeds("pgrep -t tty1 -f installer-console")
  '';

  netboot =
    (mkSystem [
      nixosModules.netboot-installer
      noPublicTor
      testInstrumentation
    ]).config.system.build;
  # The image's own netboot.ipxe, with a host name added to the kernel
  # command line as a user would.
  pxeDir = pkgs.runCommand "installer-netboot-tftp" { } ''
    mkdir $out
    ln -s ${netboot.netbootRamdisk}/initrd $out/initrd
    ln -s ${netboot.kernel}/${pkgs.stdenv.hostPlatform.linux-kernel.target} $out/
    sed 's/initrd=initrd/initrd=initrd hostname=netboot-test/' \
      ${netboot.netbootIpxeScript}/netboot.ipxe > $out/netboot.ipxe
    grep -q 'hostname=netboot-test' $out/netboot.ipxe
  '';

  netbootChecks = ''
    assert machine.succeed("hostname").strip() == "netboot-test"
    machine.wait_until_succeeds("ip -4 addr show dev eth0 | grep -F 'inet 10.0.2.15/'")
    machine.succeed("installer-console status --json | jq -e '.hostname == \"netboot-test\"'")
  '';
in
{
  iso-uefi-cdrom = bootTest "iso-uefi-cdrom" (startCommand {
    uefi = true;
    cdrom = isoFile;
  }) isoChecks;
  iso-uefi-usb = bootTest "iso-uefi-usb" (startCommand {
    uefi = true;
    usb = isoFile;
  }) isoChecks;
}
// lib.optionalAttrs isx86_64 {
  iso-bios-cdrom = bootTest "iso-bios-cdrom" (startCommand { cdrom = isoFile; }) isoChecks;
  iso-bios-usb = bootTest "iso-bios-usb" (startCommand { usb = isoFile; }) isoChecks;
  netboot-bios = bootTest "netboot-bios" (startCommand {
    memory = 4096;
    pxe = pxeDir;
  }) netbootChecks;
}
