#!/usr/bin/env bash
# Fills this directory (the executor image's build context) with what the Dockerfile copies:
#   jre/        a jlink'ed Java runtime from this machine's JDK (made again only when the JDK or
#               the module list changes; the key is kept in .jre-key)
#   jbuild.jar  $JBUILD_JAR, else builder/target/jbuild.jar (./jbuild --version builds it)
#   dirs/tmp/ home/  empty directories: /jbuild/tmp (mode 1777) and the jbuild user's home
#   dirs/bin/jbuild  the launcher on the PATH, a static program from bin/jbuild.c (gcc, as rrun)
# Offline: jlink reads the JDK's own jmods (Debian: openjdk-17-jdk-headless).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
top="$(cd "$here/../../.." && pwd)"
jar="${JBUILD_JAR:-$top/builder/target/jbuild.jar}"
if ! [ -f "$jar" ]; then
  echo "prepare-context: $jar is missing; build it with ./jbuild --version" >&2
  exit 1
fi

jdk="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v jlink)")")")}"
if ! [ -x "$jdk/bin/jlink" ] || ! [ -d "$jdk/jmods" ]; then
  echo "prepare-context: no JDK with jlink and jmods at $jdk; set JAVA_HOME (Debian: openjdk-17-jdk-headless)" >&2
  exit 1
fi
# The modules the jar uses (jdeps --print-module-deps, expanded), less java.desktop and
# java.compiler: only optional code paths of Jackson, commons-compress and errorprone
# annotations reach them. jdk.crypto.ec: TLS to registries negotiates ECDHE. java.management:
# rootless mode re-executes the JVM with its own options (RuntimeMXBean).
modules=java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.security.jgss,jdk.unsupported,jdk.crypto.ec
# --generate-cds-archive: the JDK's own classes start from a shared archive (faster start).
opts=(--strip-debug --no-header-files --no-man-pages --compress=2 --generate-cds-archive)
key="$("$jdk/bin/java" -version 2>&1 | tr '\n' ' ') $modules ${opts[*]} -nocoops"

if [ -d "$here/jre" ] && [ "$(cat "$here/.jre-key" 2>/dev/null)" = "$key" ]; then
  :
else
  rm -rf "$here/jre" "$here/.jre-key" "$here/jre.tmp"
  "$jdk/bin/jlink" --add-modules "$modules" "${opts[@]}" --output "$here/jre.tmp" >/dev/null
  # The archive for heaps over 32 GB (no compressed oops) is 11 MB that a build tool never uses.
  rm -f "$here/jre.tmp/lib/server/classes_nocoops.jsa"
  mv "$here/jre.tmp" "$here/jre"
  printf '%s' "$key" >"$here/.jre-key"
fi
# /jbuild/tmp (java.io.tmpdir, open to every user as /tmp is) and the jbuild user's home.
mkdir -p "$here/dirs/tmp" "$here/home"
chmod 1777 "$here/dirs/tmp"
chmod 755 "$here/home"
# The launcher needs no /bin/sh: an in-place build may have replaced the root (FROM scratch).
mkdir -p "$here/dirs/bin"
gcc -static -Os -s -Wall -o "$here/dirs/bin/jbuild.tmp" "$here/bin/jbuild.c"
mv "$here/dirs/bin/jbuild.tmp" "$here/dirs/bin/jbuild"
cp "$jar" "$here/jbuild.jar.tmp"
mv "$here/jbuild.jar.tmp" "$here/jbuild.jar"
