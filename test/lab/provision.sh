#!/usr/bin/env bash
# Provisions the lab: a Debian sid chroot holding Asterisk 22 and SIPp, built once into a cache
# folder outside the repository and reused by every later run (see docs/operations.md).
# Why a chroot: bookworm has no asterisk package, and sid packages must not touch the host's libc.
set -euo pipefail

LAB_ROOT="${SWITCHBOARD_LAB_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/switchboard-lab}"
CHROOT="$LAB_ROOT/sid"
MIRROR="${SWITCHBOARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
# v2: the English sound files (VoiceMail() and Playback() prompts) are installed explicitly.
STAMP="$CHROOT/.switchboard-provisioned-v2"
PACKAGES="asterisk asterisk-modules asterisk-core-sounds-en asterisk-core-sounds-en-gsm sip-tester procps"

log() { printf '[lab] %s\n' "$*" >&2; }

# Host tools of the TLS lab (test/lab/tls.test.ts): tcpdump captures the loopback, openssl makes
# the test CA and plays the TLS 1.1 / 1.2 client. Checked on every run (a cached chroot too).
missing=""
for tool in tcpdump openssl; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" != 0 ]; then log "the lab needs$missing on the host: apt-get install$missing"; exit 1; fi
  log "installing$missing on the host"
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ -f "$STAMP" ]; then
  log "chroot ready at $CHROOT (cached)"
  echo "$CHROOT"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "provisioning needs root (debootstrap, chroot, mount)"; exit 1
fi

mount_all() {
  mount -t proc proc "$CHROOT/proc"
  mount --bind /dev "$CHROOT/dev"
  mount --bind /dev/pts "$CHROOT/dev/pts"
}
install_packages() {
  # Packages already present install offline; otherwise the lists are fetched first.
  # shellcheck disable=SC2016 # expanded inside the chroot
  chroot "$CHROOT" /usr/bin/env DEBIAN_FRONTEND=noninteractive PACKAGES="$PACKAGES" bash -c '
    { apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null 2>&1 ||
      { apt-get update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null; }; } &&
    apt-get clean' >"$LAB_ROOT/apt.log" 2>&1 || { tail -20 "$LAB_ROOT/apt.log" >&2; exit 1; }
}

if ! command -v debootstrap >/dev/null 2>&1; then
  log "installing debootstrap on the host"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

unmount_all() {
  for m in proc dev/pts dev; do
    if mountpoint -q "$CHROOT/$m" 2>/dev/null; then umount -l "$CHROOT/$m" || true; fi
  done
}
trap unmount_all EXIT

# A chroot from an earlier version of this script is upgraded in place: only what is missing is
# installed (apt-get is quick when the packages are already there).
if [ -f "$CHROOT/.switchboard-provisioned-v1" ] && [ -x "$CHROOT/usr/sbin/asterisk" ]; then
  log "upgrading the cached chroot: $PACKAGES"
  mount_all
  install_packages
  unmount_all
  touch "$STAMP"
  log "chroot ready at $CHROOT"
  echo "$CHROOT"
  exit 0
fi

# A half-built chroot from an interrupted run is removed, never reused.
if [ -d "$CHROOT" ]; then
  log "removing incomplete chroot"
  unmount_all
  rm -rf "$CHROOT"
fi
mkdir -p "$LAB_ROOT"

log "debootstrap sid into $CHROOT"
debootstrap --variant=minbase sid "$CHROOT" "$MIRROR" >"$LAB_ROOT/debootstrap.log" 2>&1 \
  || { tail -20 "$LAB_ROOT/debootstrap.log" >&2; exit 1; }

# sid's Release can be past Valid-Until; apt must start no service inside the chroot.
echo 'Acquire::Check-Valid-Until "false";' >"$CHROOT/etc/apt/apt.conf.d/99switchboard"
printf '#!/bin/sh\nexit 101\n' >"$CHROOT/usr/sbin/policy-rc.d"
chmod +x "$CHROOT/usr/sbin/policy-rc.d"

mount_all
log "apt-get install $PACKAGES"
install_packages

mkdir -p "$CHROOT/run/asterisk" "$CHROOT/var/run/asterisk"
unmount_all
chroot "$CHROOT" /usr/sbin/asterisk -V >&2
touch "$STAMP"
log "chroot ready at $CHROOT"
echo "$CHROOT"
