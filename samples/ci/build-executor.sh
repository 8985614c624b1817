#!/usr/bin/env bash
# Builds the jbuild executor image jbuild/executor:dev with jbuild itself: no Docker, no internet.
#   1. the jar (./jbuild --version builds it when sources changed)
#   2. the base image localbase/debian-min:bookworm from this machine's apt (samples/base/
#      debian-rootfs.sh), kept in samples/target/ci/ while the package versions stay the same
#   3. the context samples/ci/executor (jlink'ed runtime + jar: executor/prepare-context.sh)
#   4. jbuild build -t jbuild/executor:dev samples/ci/executor
# Needs root as any jbuild build with a Dockerfile's RUN does today (this one has none, but
# `jbuild import` of a rootfs owned by root needs it too).
#
# Usage: build-executor.sh [--tag NAME] [--save FILE] [--docker-load]
#   --save FILE    also write the image as a docker-archive (docker load -i FILE)
#   --docker-load  also load it into the local Docker engine (jbuild save ... | docker load)
# The store is the one jbuild uses by default: --root via $JBUILD_ROOT.
# JBUILD_JAR=FILE uses that jar (and puts it in the image) instead of ./jbuild's own build, as
# the samples tests do with the jar their Maven reactor just made.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
top="$(cd "$here/../.." && pwd)"
if [ -n "${JBUILD_JAR:-}" ]; then
  jb() { java -XX:+UseSerialGC -jar "$JBUILD_JAR" "$@"; }
else
  jb() { "$top/jbuild" "$@"; }
fi
tag=jbuild/executor:dev
base=localbase/debian-min:bookworm
save=""
load=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --save) save="$2"; shift 2 ;;
    --docker-load) load=1; shift ;;
    *) echo "usage: $0 [--tag NAME] [--save FILE] [--docker-load]" >&2; exit 2 ;;
  esac
done
step() { printf '==> %s\n' "$*" >&2; }
t0=$SECONDS

step "jar: ${JBUILD_JAR:-$top/builder/target/jbuild.jar}"
jb --version >/dev/null

# The base tar is made again only when a package's candidate version changes (apt-cache policy).
cache="$top/samples/target/ci"
mkdir -p "$cache"
pkgs=(base-files libc6 libgcc-s1 libstdc++6 zlib1g busybox-static)
# newuidmap/newgidmap (setuid root) and their libraries, for rootless builds as user jbuild.
extra=(uidmap libsubid4 libaudit1 libaudit-common libselinux1 libcap-ng0 libpcre2-8-0)
pkgs+=("${extra[@]}")
key="$(apt-cache policy "${pkgs[@]}" | grep -E '^[^ ]|Candidate' | tr -d ' \n') $(sha256sum "$top/samples/base/debian-rootfs.sh" | cut -c1-16)"
if ! [ -f "$cache/debian-min.tar" ] || [ "$(cat "$cache/debian-min.key" 2>/dev/null)" != "$key" ]; then
  step "base: samples/base/debian-rootfs.sh (apt-get download + dpkg-deb -x)"
  "$top/samples/base/debian-rootfs.sh" "$cache/debian-min.tar.tmp" "${extra[@]}"
  mv "$cache/debian-min.tar.tmp" "$cache/debian-min.tar"
  printf '%s' "$key" >"$cache/debian-min.key"
fi
step "base: jbuild import -> $base"
jb import "$cache/debian-min.tar" "$base" >/dev/null

step "context: samples/ci/executor (jlink'ed runtime, jar)"
"$here/executor/prepare-context.sh"

step "jbuild build -t $tag samples/ci/executor"
jb build --progress=plain -t "$tag" "$here/executor"

if [ -n "$save" ]; then
  step "jbuild save -o $save $tag"
  jb save -o "$save" "$tag"
fi
if [ "$load" = 1 ]; then
  step "jbuild save $tag | docker load"
  jb save "$tag" | docker load
fi
step "done in $((SECONDS - t0)) s: $tag"
