#!/usr/bin/env bash
# Writes a minimal busybox root filesystem tar (from Debian's busybox-static) to $1.
# Used as an offline base image by the demo and the tests: no Docker Hub needed.
set -euo pipefail
out="$1"
bb=/bin/busybox
if ! [ -x "$bb" ] || ! "$bb" --list >/dev/null 2>&1; then
  echo "busybox-rootfs: $bb is missing; install Debian's busybox-static" >&2
  exit 1
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir"/{bin,etc,tmp,root,proc,sys,dev,var/www}
cp "$bb" "$dir/bin/busybox"
for c in $("$bb" --list); do
  [ "$c" = busybox ] || ln -s busybox "$dir/bin/$c"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$dir/etc/group"
chmod 1777 "$dir/tmp"
chmod 700 "$dir/root"
# Fixed mtimes and sorted names: the same busybox gives the same base image digest.
find "$dir" -exec touch -h -d @0 {} +
tar --sort=name --numeric-owner --owner=0 --group=0 -C "$dir" -cf "$out" .
