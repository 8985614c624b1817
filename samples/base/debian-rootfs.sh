#!/usr/bin/env bash
# Writes a minimal Debian bookworm root filesystem tar to $1, offline from Docker Hub: the .debs
# come from this machine's apt sources (`apt-get download`, no dependency solving, no maintainer
# scripts) and are unpacked with `dpkg-deb -x` into a merged-/usr tree.
#
# Not debootstrap's minbase (170 MB, ~2 min through the mirror): just what a dynamically linked
# program such as a JVM needs (glibc, libgcc, libstdc++, zlib), base-files (/etc/os-release) and
# busybox-static as the shell and userland, so that CI runners (GitLab's `sh`, GitHub's
# `tail -f /dev/null`) can drive the container. About 15 MB. There is no dpkg database: this is
# a runtime base, not one to `apt-get install` into.
#
# Usage: debian-rootfs.sh OUT.tar [EXTRA-PACKAGE...]   (root not needed, apt lists are)
set -euo pipefail
out="$1"; shift
pkgs=(base-files libc6 libgcc-s1 libstdc++6 zlib1g busybox-static "$@")

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs" "$work/root"

# apt-get download uses the lists apt already has; a fresh machine may have none yet.
if ! (cd "$work/debs" && apt-get download -q "${pkgs[@]}" >/dev/null 2>"$work/apt.err"); then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    (cd "$work/debs" && apt-get download -q "${pkgs[@]}" >/dev/null)
  else
    cat "$work/apt.err" >&2
    echo "debian-rootfs: apt-get download ${pkgs[*]} failed; run 'apt-get update' as root" >&2
    exit 1
  fi
fi

r="$work/root"
# Merged /usr as bookworm installs it: unpack each package, then fold its /bin, /sbin, /lib*
# into /usr so that the symlinks below are the only entries at the top.
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$r"
done
for d in bin sbin lib lib32 lib64 libx32; do
  if [ -d "$r/$d" ] && ! [ -L "$r/$d" ]; then
    mkdir -p "$r/usr/$d"
    cp -a "$r/$d/." "$r/usr/$d/"
    rm -rf "${r:?}/$d"
  fi
done
for d in bin sbin lib lib64; do
  mkdir -p "$r/usr/$d"
  ln -s "usr/$d" "$r/$d"
done

# busybox as /bin/sh and for every applet no package provides.
bb="$r/usr/bin/busybox"
for c in $("$bb" --list); do
  [ -e "$r/usr/bin/$c" ] || [ -e "$r/usr/sbin/$c" ] || ln -s busybox "$r/usr/bin/$c"
done

# newuidmap/newgidmap (package uidmap), when asked for: Debian builds them without libcap, so as
# setuid root they open /proc/PID/uid_map with euid 0, and the kernel then wants CAP_SYS_ADMIN,
# which a container does not have ("write to uid_map failed: Operation not permitted" for the
# non-root user of `docker run`). With file capabilities instead of the setuid bit (as Fedora
# ships them) they run as the user with CAP_SETUID/CAP_SETGID only, and the user owns the new
# namespace: that is all the kernel asks (kernel/user_namespace.c new_idmap_permitted).
for tool in newuidmap:cap_setuid newgidmap:cap_setgid; do
  f="$r/usr/bin/${tool%%:*}"
  if [ -f "$f" ]; then
    chmod u-s "$f"
    setcap "${tool#*:}=ep" "$f"
  fi
done

mkdir -p "$r"/{etc,tmp,root,proc,sys,dev,run,var/tmp,home}
# What base-passwd's and base-files' maintainer scripts would have written.
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' >"$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
printf 'hosts: files dns\n' >"$r/etc/nsswitch.conf"
chmod 1777 "$r/tmp" "$r/var/tmp"
chmod 700 "$r/root"
# Fixed mtimes and sorted names: the same packages give the same base image digest.
find "$r" -exec touch -h -d @0 {} +
# PAX headers carry the file capabilities above (and nothing else: no atime/ctime records).
tar --sort=name --numeric-owner --owner=0 --group=0 --format=posix \
  --pax-option=delete=atime,delete=ctime --xattrs --xattrs-include=security.capability \
  -C "$r" -cf "$out" .
