#!/usr/bin/env bash
# Writes the root filesystem tars of samples/maven-app's two offline base images to DIR:
#   DIR/jdk-rootfs.tar  busybox, this machine's glibc/libstdc++, a jlink'ed java.base+jdk.compiler
#   DIR/jre-rootfs.tar  the same with java.base only
# Import them as the Dockerfile names them:
#   jbuild import DIR/jdk-rootfs.tar localbase/jdk:17 && jbuild import DIR/jre-rootfs.tar localbase/jre:17
set -euo pipefail
out="$1"
here="$(cd "$(dirname "$0")" && pwd)"
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
[ -x "$java_home/bin/jlink" ] && [ -d "$java_home/jmods" ] || {
  echo "base-images: need a JDK with jlink and jmods (JAVA_HOME=$java_home)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
"$here/../base/busybox-rootfs.sh" "$tmp/busybox.tar"
for kind in jdk jre; do
  root="$tmp/$kind"
  mkdir -p "$root"
  tar -xf "$tmp/busybox.tar" -C "$root"
  modules=java.base
  [ "$kind" = jdk ] && modules=java.base,jdk.compiler
  "$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files \
    --no-man-pages --output "$root/opt/java"
  # The C libraries the runtime links against (ld.so finds them in its multiarch directories).
  for lib in $(ldd "$root/opt/java/bin/java" "$root/opt/java/lib/server/libjvm.so" \
      "$root"/opt/java/lib/*.so 2>/dev/null | awk '$3 ~ /^\// {print $3} $1 ~ /^\/lib/ {print $1}' \
      | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  find "$root" -exec touch -h -d @0 {} +
  tar --sort=name --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out/$kind-rootfs.tar" .
done
