#!/usr/bin/env bash
# Writes a minimal busybox root filesystem tar (from Debian's busybox-static) to $1, for the
# Debian architecture $2 (default: this machine's; arm64 for a multi-platform base).
# Used as an offline base image by the demo and the tests: no Docker Hub needed.
# A foreign architecture's package comes from $JBUILD_DEB_DIR (default /var/cache/jbuild/debs),
# downloaded there once (`apt-get download busybox-static:ARCH`, as root) if missing.
set -euo pipefail
out="$1"
arch="${2:-$(dpkg --print-architecture)}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir" ${unpacked:+"$unpacked"}' EXIT
bb=/bin/busybox
list=(/bin/busybox --list)
if ! [ -x "$bb" ] || ! "$bb" --list >/dev/null 2>&1; then
  echo "busybox-rootfs: $bb is missing; install Debian's busybox-static" >&2
  exit 1
fi
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
  debs="${JBUILD_DEB_DIR:-/var/cache/jbuild/debs}"
  mkdir -p "$debs"
  deb="$(ls "$debs"/busybox-static_*_"$arch".deb 2>/dev/null | head -1 || true)"
  if [ -z "$deb" ]; then
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
      dpkg --add-architecture "$arch" && apt-get update -qq
    fi
    (cd "$debs" && apt-get download -q "busybox-static:$arch" >&2)
    deb="$(ls "$debs"/busybox-static_*_"$arch".deb | head -1)"
  fi
  unpacked="$(mktemp -d)"
  dpkg-deb -x "$deb" "$unpacked"
  bb="$unpacked/bin/busybox"
  # The same Debian version has the same applets; the host's busybox lists them without QEMU.
fi
mkdir -p "$dir"/{bin,etc,tmp,root,proc,sys,dev,var/www}
cp "$bb" "$dir/bin/busybox"
for c in $("${list[@]}"); do
  [ "$c" = busybox ] || ln -s busybox "$dir/bin/$c"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
chmod 1777 "$dir/tmp"
chmod 700 "$dir/root"
# Fixed mtimes and sorted names: the same busybox gives the same base image digest.
find "$dir" -exec touch -h -d @0 {} +
tar --sort=name --numeric-owner --owner=0 --group=0 -C "$dir" -cf "$out" .
