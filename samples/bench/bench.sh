#!/usr/bin/env bash
# Side-by-side build benchmark: jbuild vs BuildKit (DOCKER_BUILDKIT=1 docker build) and buildah,
# when they are installed. Prints one row per workload with wall-clock milliseconds (the median
# of RUNS runs) and jbuild's time relative to BuildKit's.
#   samples/bench/bench.sh [RUNS]      (as root; default RUNS=3)
# Workloads, each cold (--no-cache) then cached: the helloworld sample, 20 trivial RUN steps,
# COPY of 20k files, a RUN writing 600 MB, two parallel stages; one vs two platforms
# (amd64+arm64 through QEMU, when registered), and build+push to a loopback registry; then
# "fresh runner, warm remote cache": an empty store (BuildKit: a pruned builder cache and no local
# image) builds hello and the parallel multi-stage workload from a registry cache and pushes,
# jbuild with --cache-from type=registry (exported with mode=max), BuildKit with --cache-from and
# BUILDKIT_INLINE_CACHE=1; with the bytes the registry sent (GET bodies in its access log).
# "build + push small / 400 MB layer": build and push to a fresh repository each run (jbuild
# build --push, BuildKit build + docker push, buildah bud + buildah push).
# The "jb MiB" column is the peak RSS of the jbuild process (max over the row's runs).
# BENCH_ROWS="big copy20k push400" runs only the named workloads (default: all); the names are
# hello runs20 copy20k big parallel platforms push push400 fresh. BENCH_TOOLS="jbuild" leaves out the
# BuildKit and buildah columns; JBUILD=/path/to/launcher (or JB=) measures another jbuild (e.g. an older
# build, to compare before and after a change in one session).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
top="$(cd "$here/../.." && pwd)"
runs="${1:-3}"
jb="${JBUILD:-${JB:-$top/jbuild}}"
tools="${BENCH_TOOLS:-jbuild buildkit buildah}"
work="$(mktemp -d /tmp/jbuild-bench.XXXXXX)"
reg_pid=""
rows="${BENCH_ROWS:-hello runs20 copy20k big parallel platforms push push400 fresh}"
want() { [[ " $rows " == *" $1 "* ]]; }
# buildah keeps its own store under $work, so the bench neither reads nor leaves images in the
# machine's /var/lib/containers.
bah() { buildah --root "$work/buildah" --runroot "$work/buildah-run" "$@"; }
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null
  if [ "${have_buildah:-0}" = 1 ]; then
    bah rm -a >/dev/null 2>&1 || true
    bah rmi -a -f >/dev/null 2>&1 || true
    # what its overlay driver still has mounted under the store
    awk -v w="$work/" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo | sort -r \
      | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
export JBUILD_ROOT="$work/store"

have_docker=0; [[ " $tools " == *" buildkit "* ]] && /usr/bin/docker info >/dev/null 2>&1 && have_docker=1
have_buildah=0; [[ " $tools " == *" buildah "* ]] && command -v buildah >/dev/null && have_buildah=1

# The same offline base image everywhere.
"$top/samples/base/busybox-rootfs.sh" "$work/base.tar"
"$jb" import "$work/base.tar" localbase/busybox:1 >/dev/null
[ $have_docker = 1 ] && /usr/bin/docker import "$work/base.tar" localbase/busybox:1 >/dev/null
# There is no `buildah import`: the base is a container from scratch with the rootfs tar added,
# committed under the name the Dockerfiles use (buildah resolves it as localhost/...), as modes.sh.
if [ $have_buildah = 1 ]; then
  c=$(bah from scratch) && bah add "$c" "$work/base.tar" / >/dev/null \
    && bah commit -q "$c" localbase/busybox:1 >/dev/null && bah rm "$c" >/dev/null \
    || { echo "bench.sh: buildah could not make its base image; no buildah column" >&2; have_buildah=0; }
fi

mk() { mkdir -p "$work/ctx/$1"; cat >"$work/ctx/$1/Dockerfile"; }
cp -r "$top/samples/helloworld/." "$work/ctx/hello/" 2>/dev/null || { mkdir -p "$work/ctx/hello"; cp -r "$top/samples/helloworld/." "$work/ctx/hello/"; }
{ echo "FROM localbase/busybox:1"; for i in $(seq 20); do echo "RUN echo step $i > /s$i"; done; } | mk runs20
mk copy20k <<'D'
FROM localbase/busybox:1
COPY files/ /files/
D
mkdir -p "$work/ctx/copy20k/files"
( cd "$work/ctx/copy20k/files" && for d in $(seq 20); do mkdir d$d; for f in $(seq 1000); do echo "$d $f" > d$d/f$f; done; done )
mk big <<'D'
FROM localbase/busybox:1
RUN dd if=/dev/urandom of=/big bs=1M count=600 2>/dev/null
D
mk parallel <<'D'
FROM localbase/busybox:1 AS a
RUN sleep 2 && echo a > /a
FROM localbase/busybox:1 AS b
RUN sleep 2 && echo b > /b
FROM localbase/busybox:1
COPY --from=a /a /a
COPY --from=b /b /b
D
mk push400 <<'D'
FROM localbase/busybox:1
RUN dd if=/dev/urandom of=/big bs=1M count=400 2>/dev/null
D

ms() { local s e; s=$(date +%s%N); if "$@" >/dev/null 2>&1; then e=$(date +%s%N); echo $(((e - s) / 1000000)); else echo FAIL; fi; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else print a[int((NR+1)/2)]}'; }
measure() { local out=""; for _ in $(seq "$runs"); do out="$out $(ms "$@")"; done; echo "$out" | median; }
# measure_prepped PREP CMD: PREP (untimed) before each timed run of CMD.
measure_prepped() { local out=""; for _ in $(seq "$runs"); do "$1"; out="$out $(ms "$2")"; done; echo "$out" | median; }

# Every jbuild run appends its peak RSS (KiB; the launcher execs java) to $work/rss.
jb_rss() { /usr/bin/time -a -o "$work/rss" -f %M "$jb" "$@"; }
jb_build() { jb_rss build --progress=plain "$@"; }
bk_build() { DOCKER_BUILDKIT=1 /usr/bin/docker build --progress=plain "$@"; }
ba_build() { bah bud --layers "$@"; }

row() {
  local name="$1" j="$2" b="$3" h="$4" ratio="-" rss="-"
  if [[ "$j" =~ ^[0-9]+$ && "$b" =~ ^[0-9]+$ && "$b" -gt 0 ]]; then ratio=$(awk "BEGIN{printf \"%.2fx\", $j/$b}"); fi
  [ -s "$work/rss" ] && rss=$(awk '$1 ~ /^[0-9]+$/ && $1 > m {m = $1} END {printf "%d", m / 1024}' "$work/rss")
  : >"$work/rss"
  printf '%-34s %10s %10s %10s %10s %8s %6s\n' "$name" "$j" "$b" "$h" "$ratio" "$rss" "$(cut -d' ' -f1 /proc/loadavg)"
}

printf '%-34s %10s %10s %10s %10s %8s %6s\n' "workload (median ms of $runs)" jbuild buildkit buildah "jb/bk" "jb MiB" load
: >"$work/rss"
for w in hello runs20 copy20k big parallel; do
  want $w || continue
  j=$(measure jb_build --no-cache -t bench-$w "$work/ctx/$w")
  b=-; h=-
  [ $have_docker = 1 ] && b=$(measure bk_build --no-cache -t bench-$w "$work/ctx/$w")
  [ $have_buildah = 1 ] && h=$(measure ba_build --no-cache -t bench-$w "$work/ctx/$w")
  row "$w (cold, --no-cache)" "$j" "$b" "$h"
  # Every workload again with the cache the cold run just filled (issue 18's cached rows).
  j=$(measure jb_build -t bench-$w "$work/ctx/$w")
  [ $have_docker = 1 ] && b=$(measure bk_build -t bench-$w "$work/ctx/$w")
  [ $have_buildah = 1 ] && h=$(measure ba_build -t bench-$w "$work/ctx/$w")
  row "$w (cached)" "$j" "$b" "$h"
done

# Two platforms (issue 16), where QEMU's aarch64 handler is registered: a native stage shared by
# both targets and a RUN per target (arm64's through QEMU), next to the same build for amd64 only.
# BuildKit's docker driver builds one platform per run, so its two-platform cell stays empty.
if want platforms && [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && [ "$(uname -m)" = x86_64 ]; then
  "$top/samples/base/busybox-rootfs.sh" "$work/base-arm64.tar" arm64
  "$jb" import --platform linux/arm64 "$work/base-arm64.tar" localbase/busybox:1-arm64 >/dev/null
  "$jb" tag localbase/busybox:1 localbase/busybox:1-amd64
  mk platforms <<'D'
FROM --platform=$BUILDPLATFORM localbase/busybox:1-$BUILDARCH AS native
RUN echo built natively > /native
FROM localbase/busybox:1-$TARGETARCH
COPY --from=native /native /native
RUN uname -m > /arch && ls /bin | wc -l > /n
D
  j=$(measure jb_build --no-cache --platform linux/amd64 -t bench-plat "$work/ctx/platforms"); b=-
  [ $have_docker = 1 ] && /usr/bin/docker tag localbase/busybox:1 localbase/busybox:1-amd64 \
    && b=$(measure bk_build --no-cache --platform linux/amd64 -t bench-plat "$work/ctx/platforms")
  row "platforms: amd64 (cold)" "$j" "$b" "-"
  j=$(measure jb_build --no-cache --platform linux/amd64,linux/arm64 -t bench-plat2 "$work/ctx/platforms")
  row "platforms: amd64+arm64 (cold)" "$j" "-" "-"
fi

if command -v docker-registry >/dev/null && { want push || want push400 || want fresh; }; then
  port=5077
  printf 'version: 0.1\nlog: {level: info}\nstorage: {filesystem: {rootdirectory: %s/registry}}\nhttp: {addr: 127.0.0.1:%s}\n' "$work" "$port" >"$work/registry.yml"
  docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 & reg_pid=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.2; done
  # A fresh repository per run: measure runs each in a subshell, so the name comes from a
  # counter file rather than a shell variable.
  next() { local n; n=$(( $(cat "$work/n" 2>/dev/null || echo 0) + 1 )); echo $n >"$work/n"; echo "$n"; }
  for w in push push400; do
    want $w || continue
    ctx=$work/ctx/hello; [ $w = push400 ] && ctx=$work/ctx/push400
    jb_push() { jb_build --no-cache --push -t "127.0.0.1:$port/bench/jb$(next):v1" "$ctx"; }
    bk_push() { local t; t="127.0.0.1:$port/bench/bk$(next):v1"; bk_build --no-cache -t "$t" "$ctx" && /usr/bin/docker push "$t" && /usr/bin/docker rmi "$t"; }
    ba_push() { local t; t="127.0.0.1:$port/bench/ba$(next):v1"; bah bud --layers --no-cache -t "$t" "$ctx" && bah push --tls-verify=false "$t" && bah rmi "$t"; }
    j=$(measure jb_push); b=-; h=-
    [ $have_docker = 1 ] && b=$(measure bk_push)
    [ $have_buildah = 1 ] && h=$(measure ba_push)
    [ $w = push ] && row "build + push small (cold)" "$j" "$b" "$h"
    [ $w = push400 ] && row "build + push 400 MB layer (cold)" "$j" "$b" "$h"
  done

  # Fresh runner, warm remote cache.
  reg="127.0.0.1:$port"
  JBUILD_ROOT="$work/seed" "$jb" import "$work/base.tar" localbase/busybox:1 >/dev/null  # base only
  sent() { awk -v from="$1" 'NR > from && /"GET \/v2\// { if ($10 ~ /^[0-9]+$/) b += $10 } END { print b + 0 }' "$work/registry.log"; }
  lines() { wc -l <"$work/registry.log"; }
  for w in hello parallel; do
    want fresh || continue
    jb_build --cache-to "type=registry,ref=$reg/cache/jb-$w:c,mode=max" --push -t "$reg/bench/jb-$w:warm" "$work/ctx/$w" >/dev/null 2>&1 || true
    : >"$work/rss"
    jb_prep() { rm -rf "$work/fresh"; cp -a "$work/seed" "$work/fresh"; }
    # n does not survive measure_prepped's subshells: every run pushes :f1 (BuildKit's too).
    jb_fresh() { n=$((${n:-0} + 1)); JBUILD_ROOT="$work/fresh" jb_build --cache-from "type=registry,ref=$reg/cache/jb-$w:c" --push -t "$reg/bench/jb-$w:f$n" "$work/ctx/$w"; }
    from=$(lines); j=$(measure_prepped jb_prep jb_fresh); jbytes=$(( $(sent "$from") / runs ))
    b=-; bbytes=-
    if [ $have_docker = 1 ]; then
      bk_build --build-arg BUILDKIT_INLINE_CACHE=1 -t "$reg/bench/bk-$w:warm" "$work/ctx/$w" >/dev/null 2>&1 && /usr/bin/docker push "$reg/bench/bk-$w:warm" >/dev/null 2>&1 || true
      bk_prep() { /usr/bin/docker rmi -f "$reg/bench/bk-$w:warm" "$reg/bench/bk-$w:f1" >/dev/null 2>&1; /usr/bin/docker builder prune -af >/dev/null 2>&1; }
      bk_fresh() { n=$((${n:-0} + 1)); bk_build --cache-from "$reg/bench/bk-$w:warm" --build-arg BUILDKIT_INLINE_CACHE=1 -t "$reg/bench/bk-$w:f$n" "$work/ctx/$w" && /usr/bin/docker push "$reg/bench/bk-$w:f$n"; }
      from=$(lines); b=$(measure_prepped bk_prep bk_fresh); bbytes=$(( $(sent "$from") / runs ))
    fi
    row "$w (fresh runner, warm cache)" "$j" "$b" "-"
    printf '%-34s %10s %10s\n' "  bytes from registry per build" "$jbytes" "$bbytes"
  done
fi
