# The receiving end of kexec/run: it appended an archive to the initrd with
# the old system's SSH host keys, authorized keys, machine-id and network
# dumps (see kexec/run). Here the initrd copies them into the new root, so
# that the machine keeps its host key and accepts the same keys, and a boot
# service turns the dumps into systemd-networkd units before networkd starts.
{ config, lib, ... }:
let
  exe = lib.getExe' config.services.installer-console.package "installer-console";

  # Where the network dumps wait for restore-network in the new system.
  dumpDir = "/root/network/iproute2";
  dumps = map (name: "${dumpDir}/${name}") [
    "addrs.json"
    "routes-v4.json"
    "routes-v6.json"
  ];
in
{
  boot.initrd.systemd.enable = true;

  boot.initrd.systemd.services.installer-console-handover = {
    description = "Restore SSH keys, machine-id and network dumps handed over by kexec";
    wantedBy = [ "initrd.target" ];
    # After every file system of the new root is mounted, /etc included
    # (an overlay on images that use system.etc.overlay).
    after = [ "initrd-fs.target" ];
    before = [ "initrd.target" ];
    unitConfig = {
      DefaultDependencies = false;
      RequiresMountsFor = "/sysroot";
    };
    serviceConfig.Type = "oneshot";
    script = ''
      set -eu
      install -d -m 0755 /sysroot/etc/ssh
      for key in /ssh/ssh_host_*; do
        [ -f "$key" ] || continue
        case "$key" in
          *.pub) install -m 0644 "$key" /sysroot/etc/ssh/ ;;
          *) install -m 0600 "$key" /sysroot/etc/ssh/ ;;
        esac
      done
      if [ -s /ssh/authorized_keys ]; then
        install -d -m 0700 /sysroot/root /sysroot/root/.ssh
        install -m 0600 /ssh/authorized_keys /sysroot/root/.ssh/authorized_keys
      fi
      if [ -s /machine-id ]; then
        install -m 0444 /machine-id /sysroot/etc/machine-id
      fi
      if [ -d /iproute2 ]; then
        install -d -m 0700 /sysroot/root /sysroot/root/network /sysroot${dumpDir}
        for dump in /iproute2/*.json; do
          [ -f "$dump" ] || continue
          install -m 0600 "$dump" /sysroot${dumpDir}/
        done
      fi
    '';
  };

  # The old system's static addresses and routes, as networkd units that
  # sort before the image's own (00-<interface>.network). They go to
  # /run/systemd/network, which networkd reads too and which stays writable
  # when /etc is an immutable overlay or holds links into the store.
  systemd.tmpfiles.rules = [ "d /run/systemd/network 0755 root root -" ];
  systemd.services.installer-console-restore-network = {
    description = "Restore the network configuration of the system kexec started from";
    wantedBy = [ "multi-user.target" ];
    wants = [ "network-pre.target" ];
    after = [ "systemd-tmpfiles-setup.service" ];
    before = [
      "network-pre.target"
      "systemd-networkd.service"
    ];
    unitConfig.ConditionPathExists = dumps;
    serviceConfig = {
      Type = "oneshot";
      RemainAfterExit = true;
      ExecStart = "${exe} restore-network ${lib.concatStringsSep " " dumps} /run/systemd/network";
      PrivateNetwork = true;
      PrivateTmp = true;
      PrivateDevices = true;
      NoNewPrivileges = true;
      ProtectSystem = "strict";
      ProtectHome = "read-only";
      ReadWritePaths = [ "/run/systemd/network" ];
      ProtectKernelTunables = true;
      ProtectKernelModules = true;
      ProtectControlGroups = true;
      RestrictAddressFamilies = [ "AF_UNIX" ];
      CapabilityBoundingSet = "";
      SystemCallArchitectures = "native";
      SystemCallFilter = [ "@system-service" ];
    };
  };
}
