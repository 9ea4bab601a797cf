#!/bin/sh
# Installs what the Windows suite needs on a Debian 12 host, idempotently:
#  - Debian's rustc 1.63 with the Windows standard library and the MinGW linker (builds atomicx.dll);
#  - debootstrap, then a Debian 13 chroot with wine 10 (Debian 12's wine 8 cannot run Node 24+: V8
#    needs VirtualAlloc2 placeholders), cached under $ATOMICX_WINE_CACHE (default
#    /var/cache/atomicx-wine) so that a second run only checks it.
# Needs root and apt-get (as on a fresh CI machine). Prints nothing but progress; exits non-zero on
# failure.
set -eu
CACHE="${ATOMICX_WINE_CACHE:-/var/cache/atomicx-wine}"
ROOTFS="$CACHE/trixie"
MIRROR="${ATOMICX_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

need=""
[ -x /usr/bin/rustc ] || need="$need rustc"
[ -d /usr/lib/rustlib/x86_64-pc-windows-gnu ] || need="$need libstd-rust-dev-windows"
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || need="$need gcc-mingw-w64-x86-64"
command -v debootstrap >/dev/null 2>&1 || need="$need debootstrap"
if [ -n "$need" ]; then
  echo "installing Debian packages:$need"
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $need >/dev/null
fi

# One installer at a time (two test runs may start together).
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9

if [ ! -f "$ROOTFS/.atomicx-ready" ]; then
  echo "building the Debian 13 chroot for wine 10 in $ROOTFS"
  mkdir -p "$CACHE"
  # A mirror hiccup should not fail the suite: up to three attempts, each from scratch.
  for attempt in 1 2 3; do
    rm -rf "$ROOTFS"
    if debootstrap --variant=minbase trixie "$ROOTFS" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 &&
      chroot "$ROOTFS" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends wine64 wine >/dev/null"; then
      break
    fi
    tail -5 "$CACHE/debootstrap.log"
    [ "$attempt" = 3 ] && exit 1
    echo "retrying (attempt $attempt failed)"
    sleep 5
  done
  touch "$ROOTFS/.atomicx-ready"
fi
echo "wine in $ROOTFS: $(chroot "$ROOTFS" dpkg-query -W -f '${Version}' wine)"
