#!/usr/bin/env bash
# Isolation modes side by side (issue 12): the cost of one RUN step and of the 20-RUN workload in
#   A  root on this host (namespaces + overlayfs + cgroups),
#   B  a non-root user with /etc/subuid ranges (rootless: user namespace, overlay with userxattr),
#   C  root in a default `docker run` of jbuild's executor image (in-place: no namespaces or
#      mounts; RUN steps run in the container's own root, diffed by walking),
# and buildah with --isolation chroot (as root) and rootless (as the same user), when installed.
# Per-RUN cost = (time of 21 RUN steps - time of 1 RUN step) / 20, all with --no-cache; the
# median of RUNS runs. A benchmark, never a test: the numbers move with the machine's load.
# Mode C's per-RUN cost is a stat snapshot and a walking diff of the whole root, O(files): the
# "100k files" rows run the same steps FROM an image with 100,000 more files (A for contrast).
#   samples/bench/modes.sh [RUNS]      (as root; default RUNS=3)
# It adds the user jbbench (subuid range 300000:65536) if missing and leaves it; remove it with
# `userdel -r jbbench`.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
top="$(cd "$here/../.." && pwd)"
runs="${1:-3}"
[ "$(id -u)" = 0 ] || { echo "modes.sh: run as root (it sets up the user and the container)" >&2; exit 2; }
user=jbbench
work="$(mktemp -d /tmp/jbuild-modes.XXXXXX)"
chmod 0755 "$work"
cleanup() {
  if [ "${have_buildah:-0}" = 1 ]; then buildah_cleanup; fi
  if [ "${have_docker:-0}" = 1 ]; then docker rmi jbuild/executor:modes >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$top/jbuild" --version >/dev/null            # builds the jar when sources changed
jar="$work/jbuild.jar"
install -m 0644 "$top/builder/target/jbuild.jar" "$jar"
"$top/samples/base/busybox-rootfs.sh" "$work/base.tar" >/dev/null
chmod 0644 "$work/base.tar"

if ! id "$user" >/dev/null 2>&1; then
  useradd -m "$user"
fi
grep -q "^$user:" /etc/subuid || echo "$user:300000:65536" >>/etc/subuid
grep -q "^$user:" /etc/subgid || echo "$user:300000:65536" >>/etc/subgid
uhome="$(getent passwd "$user" | cut -d: -f6)"

# Contexts: 1 RUN and 21 RUN steps.
mk() { mkdir -p "$work/ctx/$1"; cat >"$work/ctx/$1/Dockerfile"; }
printf 'FROM localbase/busybox:1\nRUN echo step > /s0\n' | mk run1
{ echo "FROM localbase/busybox:1"; for i in $(seq 0 20); do echo "RUN echo step $i > /s$i"; done; } | mk run21
# A base with 100,000 more files (100 directories of 1000 empty files) and the same two builds.
printf 'FROM localbase/busybox:1\nCOPY many/ /many/\n' | mk bigbase
for d in $(seq -w 0 99); do
  mkdir -p "$work/ctx/bigbase/many/d$d"
  (cd "$work/ctx/bigbase/many/d$d" && seq -f 'f%04g' 0 999 | xargs touch)
done
printf 'FROM localbase/big:1\nRUN echo step > /s0\n' | mk big1
{ echo "FROM localbase/big:1"; for i in $(seq 0 20); do echo "RUN echo step $i > /s$i"; done; } | mk big21
chmod -R a+rX "$work/ctx"

ms() { local s e; s=$(date +%s%N); if "$@" >/dev/null 2>&1; then e=$(date +%s%N); echo $(((e - s) / 1000000)); else echo FAIL; fi; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else print a[int((NR+1)/2)]}'; }
measure() { local out=""; for _ in $(seq "$runs"); do out="$out $(ms "$@")"; done; echo "$out" | median; }

# A: root on the host.
export JBUILD_ROOT="$work/store-a"
a_build() { java -XX:+UseSerialGC -jar "$jar" build --no-cache -t "m-$1" "$work/ctx/$1"; }
java -jar "$jar" import "$work/base.tar" localbase/busybox:1 >/dev/null
java -jar "$jar" build -t localbase/big:1 "$work/ctx/bigbase" >/dev/null

# B: the user, rootless.
b_build() {
  runuser -u "$user" -- env HOME="$uhome" JBUILD_ROOT="$uhome/jbuild-modes-store" \
    java -XX:+UseSerialGC -jar "$jar" build --no-cache -t "m-$1" "$work/ctx/$1"
}
runuser -u "$user" -- env HOME="$uhome" JBUILD_ROOT="$uhome/jbuild-modes-store" \
  java -jar "$jar" import "$work/base.tar" localbase/busybox:1 >/dev/null
java -jar "$jar" build -t localbase/big:1 "$work/ctx/bigbase" >/dev/null

# C: the executor image in a default container (no --privileged, no added capabilities).
have_docker=0; /usr/bin/docker info >/dev/null 2>&1 && have_docker=1
if [ $have_docker = 1 ]; then
  JBUILD_JAR="$top/builder/target/jbuild.jar" "$top/samples/ci/build-executor.sh" \
    --tag jbuild/executor:modes --docker-load >/dev/null 2>&1
  mkdir -p "$work/store-c"
  docker run --rm -v "$work:/w" -v "$work/store-c:/jbuild/store" jbuild/executor:modes \
    load -i /w/base.tar >/dev/null 2>&1 || \
  docker run --rm -v "$work:/w:ro" -v "$work/store-c:/jbuild/store" jbuild/executor:modes \
    import /w/base.tar localbase/busybox:1 >/dev/null
  docker run --rm -v "$work/ctx/bigbase:/workspace:ro" -v "$work/store-c:/jbuild/store" \
    jbuild/executor:modes build -t localbase/big:1 . >/dev/null
fi
c_build() {
  docker run --rm -v "$work/ctx/$1:/workspace:ro" -v "$work/store-c:/jbuild/store" \
    jbuild/executor:modes build --no-cache -t "m-$1" .
}

# buildah: chroot isolation as root, rootless as the user (its own storage under its home).
# There is no `buildah import`: the base image is a container from scratch with the rootfs tar
# added, committed under the name the Dockerfiles use (buildah resolves it as localhost/...).
have_buildah=0; command -v buildah >/dev/null && have_buildah=1
as_user() { (cd "$work" && runuser -u "$user" -- env -u XDG_RUNTIME_DIR HOME="$uhome" "$@"); }
buildah_base() {
  local c; c=$("$@" buildah from scratch) && "$@" buildah add "$c" "$work/base.tar" / >/dev/null \
    && "$@" buildah commit -q "$c" localbase/busybox:1 >/dev/null && "$@" buildah rm "$c" >/dev/null
}
if [ $have_buildah = 1 ]; then
  buildah_base env || { echo "modes.sh: buildah (root) could not make its base image" >&2; have_buildah=0; }
fi
have_buildah_user=$have_buildah
if [ $have_buildah = 1 ]; then
  buildah_base as_user || { echo "modes.sh: rootless buildah could not make its base image" >&2; have_buildah_user=0; }
fi
h_chroot() { buildah bud --isolation chroot --layers -t "m-$1" --no-cache "$work/ctx/$1"; }
h_rootless() { as_user buildah bud --layers --no-cache -t "m-$1" "$work/ctx/$1"; }
buildah_cleanup() {
  buildah rmi -f m-run1 m-run21 localbase/busybox:1 >/dev/null 2>&1 || true
  as_user buildah rmi -f m-run1 m-run21 localbase/busybox:1 >/dev/null 2>&1 || true
}

row() {
  local name="$1" one="$2" all="$3" per="-"
  if [[ "$one" =~ ^[0-9]+$ && "$all" =~ ^[0-9]+$ ]]; then per=$(((all - one) / 20)); fi
  printf '%-40s %10s %10s %12s\n' "$name" "$one" "$all" "$per"
}
printf '%-40s %10s %10s %12s\n' "mode (median ms of $runs)" "1 RUN" "21 RUN" "per RUN"
row "A jbuild, root, namespaces" "$(measure a_build run1)" "$(measure a_build run21)"
row "B jbuild, rootless user" "$(measure b_build run1)" "$(measure b_build run21)"
if [ $have_docker = 1 ]; then
  row "C jbuild, in-place in docker run" "$(measure c_build run1)" "$(measure c_build run21)"
fi
if [ $have_buildah = 1 ]; then
  row "buildah --isolation chroot (root)" "$(measure h_chroot run1)" "$(measure h_chroot run21)"
fi
if [ $have_buildah_user = 1 ]; then
  row "buildah rootless (user)" "$(measure h_rootless run1)" "$(measure h_rootless run21)"
fi
row "A jbuild, root, 100k files" "$(measure a_build big1)" "$(measure a_build big21)"
if [ $have_docker = 1 ]; then
  row "C jbuild, in-place, 100k files" "$(measure c_build big1)" "$(measure c_build big21)"
  echo "C's per RUN with 100k files: one stat snapshot and one walking diff of the root"
fi
