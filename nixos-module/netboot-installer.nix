# The netboot installer: kernel, initrd and netboot.ipxe, for iPXE or any
# boot loader that can load a kernel and an initrd over the network.
# hostname=NAME on the kernel command line names the machine; every ethernet
# port asks for DHCP.
{
  config,
  lib,
  pkgs,
  modulesPath,
  ...
}:
{
  imports = [
    (modulesPath + "/installer/netboot/netboot-minimal.nix")
    ./installer-base.nix
    ./serial-console.nix
  ];

  system.build.netboot = pkgs.symlinkJoin {
    name = "netboot-installer";
    paths = [
      config.system.build.netbootRamdisk
      config.system.build.kernel
      config.system.build.netbootIpxeScript
    ];
  };

  # Before networkd and resolved start, so that DHCP requests and mDNS
  # already use the name.
  systemd.services.installer-hostname-from-cmdline = {
    description = "Set the hostname from hostname= on the kernel command line";
    wantedBy = [ "sysinit.target" ];
    before = [
      "sysinit.target"
      "systemd-networkd.service"
      "systemd-resolved.service"
    ];
    unitConfig = {
      DefaultDependencies = false;
      ConditionKernelCommandLine = "hostname";
    };
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
    };
    script = ''
      name=
      for word in $(< /proc/cmdline); do
        case "$word" in
          hostname=*) name=''${word#hostname=} ;;
        esac
      done
      if [[ ! "$name" =~ ^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$ ]]; then
        echo "hostname=$name on the kernel command line is not a valid host name (letters, digits, '.' and '-', at most 64)" >&2
        exit 1
      fi
      echo -n "$name" > /proc/sys/kernel/hostname
      echo "hostname set to $name from the kernel command line"
    '';
  };
}
