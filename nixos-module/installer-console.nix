# The installer console and its boot services: a random root password, a Tor
# onion service for SSH, the console on the chosen terminals, sshd with root
# password login, WiFi through iwd with DHCP from networkd, and mDNS.
{
  config,
  lib,
  pkgs,
  ...
}:
let
  inherit (lib)
    mkDefault
    mkEnableOption
    mkIf
    mkMerge
    mkOption
    types
    ;

  cfg = config.services.installer-console;

  exe = lib.getExe' cfg.package "installer-console";

  # These values are part of the contract with the Go code; unitcheck_test.go
  # compares them with the constants of the state, tor and password packages.
  stateDir = "/run/installer-console";
  torDataDir = "/var/lib/installer-console/tor";
  minWords = 3;
  maxWords = 20;
  defaultWords = 4;

  sshPort = builtins.head (config.services.openssh.ports ++ [ 22 ]);

  torrcExtra = pkgs.writeText "installer-console-torrc-extra" cfg.tor.extraConfig;

  # Sandboxing shared by the services: none of them needs devices, kernel
  # knobs, other users' homes or new privileges.
  hardening = {
    NoNewPrivileges = true;
    ProtectHome = true;
    PrivateTmp = true;
    PrivateDevices = true;
    ProtectKernelTunables = true;
    ProtectKernelModules = true;
    ProtectKernelLogs = true;
    ProtectControlGroups = true;
    ProtectClock = true;
    ProtectHostname = true;
    LockPersonality = true;
    MemoryDenyWriteExecute = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    RestrictNamespaces = true;
    SystemCallArchitectures = "native";
    SystemCallFilter = [ "@system-service" ];
  };

  # All units share the runtime state directory; it survives their restarts.
  runtimeDirectory = {
    RuntimeDirectory = "installer-console";
    RuntimeDirectoryMode = "0755";
    RuntimeDirectoryPreserve = true;
  };

  consoleDevices = lib.concatMapStringsSep "|" (tty: "/dev/${tty}") cfg.consoles;
in
{
  options.services.installer-console = {
    enable = mkEnableOption ''
      the installer console: the boot services that make this machine
      reachable (root password, Tor onion service, sshd, WiFi, mDNS) and the
      full-screen console that shows how to log in'';

    package = lib.mkPackageOption pkgs "installer-console" { };

    password = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Whether to give root a fresh random passphrase at every boot. It is
          set with chpasswd before sshd and the console start, and kept in
          {file}`${stateDir}/root-password` (mode 0600).
        '';
      };

      words = mkOption {
        type = types.ints.between minWords maxWords;
        default = defaultWords;
        example = 6;
        description = ''
          Number of words of the generated passphrase. Each word adds about
          12.9 bits.
        '';
      };
    };

    tor = {
      enable = mkOption {
        type = types.bool;
        default = true;
        description = ''
          Whether to run a Tor v3 onion service that forwards its port 22 to
          the local sshd. Its address is kept in
          {file}`${torDataDir}` and stays the same across restarts of tor
          and of the service.
        '';
      };

      package = lib.mkPackageOption pkgs "tor" { };

      extraConfig = mkOption {
        type = types.lines;
        default = "";
        example = ''
          UseBridges 1
          Bridge obfs4 192.0.2.10:443 0123456789ABCDEF0123456789ABCDEF01234567 cert=... iat-mode=0
        '';
        description = ''
          Extra torrc lines for tor, for example bridges or proxies. The data
          directory, the control socket, the SOCKS port and RunAsDaemon are
          set by the service and cannot be changed here.
        '';
      };
    };

    wifi.enable = mkOption {
      type = types.bool;
      default = true;
      description = ''
        Whether to manage WiFi with iwd (instead of wpa_supplicant), so that
        the console and {command}`installer-console wifi` can connect to
        networks. A WiFi link gets its addresses from systemd-networkd
        (DHCPv4 and IPv6 router advertisements).
      '';
    };

    consoles = mkOption {
      type = types.listOf (types.strMatching "[A-Za-z0-9]+");
      default = [
        "tty1"
        "ttyS0"
        "hvc0"
      ];
      example = [
        "tty1"
        "ttyAMA0"
      ];
      description = ''
        Terminals that show the console after the automatic root login.
        Quitting it leaves a root shell; logging out of that shell brings
        the console back. Serial terminals only get a login when the kernel
        command line names them (`console=ttyS0,115200`).
      '';
    };
  };

  config = mkIf cfg.enable (mkMerge [
    {
      environment.systemPackages = [ cfg.package ];

      # Exists from early boot, so that the console can watch it before any
      # service has written to it.
      systemd.tmpfiles.rules = [ "d ${stateDir} 0755 root root -" ];

      services.openssh = {
        enable = true;
        settings = {
          PermitRootLogin = mkDefault "yes";
          PasswordAuthentication = mkDefault true;
          KbdInteractiveAuthentication = mkDefault true;
        };
      };

      services.getty.autologinUser = mkIf (cfg.consoles != [ ]) (mkDefault "root");

      # The console draws the QR code with half blocks and its frames with
      # box drawing characters, all from code page 437. The kernel's own
      # fonts (8x16, Terminus 16x32 on large screens) hold all of them;
      # some Lat2 console fonts lack the half blocks.
      console.font = mkDefault null;

      # Start the console only in the login shell on the chosen terminals:
      # shells started from it, SSH sessions and other terminals stay plain.
      programs.bash.interactiveShellInit = mkIf (cfg.consoles != [ ]) (
        lib.mkAfter ''
          if shopt -q login_shell; then
            case "$(${pkgs.coreutils}/bin/tty 2>/dev/null)" in
              ${consoleDevices})
                ${exe} --state-dir ${stateDir}
                ;;
            esac
          fi
        ''
      );

      # systemd-networkd with mDNS through systemd-resolved.
      networking.useNetworkd = mkDefault true;
      systemd.network.enable = mkDefault true;
      systemd.network.wait-online.anyInterface = mkDefault true;
      services.resolved.enable = mkDefault true;
      services.resolved.settings.Resolve.MulticastDNS = mkDefault true;
      networking.firewall.allowedUDPPorts = [ 5353 ];

      # DHCP on every physical ethernet port. Units restored after kexec
      # (00-*.network) and the test framework's (40-*.network) sort first.
      systemd.network.networks."80-installer-console-ethernet" = {
        matchConfig = {
          Type = "ether";
          Kind = "!*";
        };
        networkConfig = {
          DHCP = "yes";
          IPv6AcceptRA = true;
          IPv6PrivacyExtensions = false;
          MulticastDNS = true;
          LLDP = true;
          EmitLLDP = "nearest-bridge";
        };
        dhcpV4Config = {
          ClientIdentifier = "mac";
          UseHostname = false;
        };
      };
    }

    (mkIf cfg.password.enable {
      systemd.services.installer-console-password = {
        description = "Random root password for this boot";
        wantedBy = [ "multi-user.target" ];
        # Before anyone can log in: sshd, and every getty through
        # systemd-user-sessions.service.
        before = [
          "sshd.service"
          "sshd.socket"
          "systemd-user-sessions.service"
        ];
        path = [ pkgs.shadow ];
        serviceConfig = hardening // runtimeDirectory // {
          Type = "oneshot";
          RemainAfterExit = true;
          ExecStart = "${exe} password --words ${toString cfg.password.words} --state-dir ${stateDir}";
          UMask = "0077";
          ProtectSystem = "strict";
          # chpasswd rewrites /etc/shadow next to it.
          ReadWritePaths = [ "/etc" ];
          RestrictAddressFamilies = [
            "AF_UNIX"
            "AF_NETLINK"
          ];
        };
      };
    })

    (mkIf cfg.tor.enable {
      systemd.services.installer-console-tor = {
        description = "Tor onion service for SSH to this installer";
        wantedBy = [ "multi-user.target" ];
        after = [ "network.target" ];
        unitConfig.StartLimitIntervalSec = 0;
        serviceConfig = hardening // runtimeDirectory // {
          ExecStart = "${exe} tor --tor ${lib.getExe' cfg.tor.package "tor"} --data-dir ${torDataDir} --port 22 --target 127.0.0.1:${toString sshPort} --torrc-extra ${torrcExtra} --state-dir ${stateDir}";
          Restart = "always";
          RestartSec = "2s";
          # The onion key lives here, so the address survives restarts.
          StateDirectory = "installer-console";
          StateDirectoryMode = "0700";
          UMask = "0077";
          ProtectSystem = "strict";
          CapabilityBoundingSet = "";
          AmbientCapabilities = "";
          RestrictAddressFamilies = [
            "AF_UNIX"
            "AF_INET"
            "AF_INET6"
            "AF_NETLINK"
          ];
        };
      };
    })

    (mkIf cfg.wifi.enable {
      networking.wireless.enable = false;
      networking.wireless.iwd = {
        enable = true;
        # Addresses come from systemd-networkd (below), not from iwd.
        settings.General.EnableNetworkConfiguration = false;
      };

      # A WiFi link gets DHCPv4 and IPv6 addresses as soon as iwd has
      # connected it; ethernet stays the preferred route.
      systemd.network.networks."80-installer-console-wifi" = {
        matchConfig.Type = "wlan";
        networkConfig = {
          DHCP = "yes";
          IPv6AcceptRA = true;
          IPv6PrivacyExtensions = false;
          MulticastDNS = true;
          IgnoreCarrierLoss = "3s";
        };
        dhcpV4Config = {
          RouteMetric = 1025;
          UseHostname = false;
        };
        ipv6AcceptRAConfig.RouteMetric = 1025;
        linkConfig.RequiredForOnline = "no";
      };
    })
  ]);
}
