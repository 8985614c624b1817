#!/usr/bin/env bash
# Builds samples/helloworld with jbuild and shows it working, end to end and offline:
#   busybox-static -> base image -> jbuild build -> jbuild run
#   -> jbuild push to a docker-registry on 127.0.0.1 -> jbuild pull into a fresh store -> run again
# Needs root (namespaces and overlayfs). Installs its Debian packages itself.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
top="$(cd "$here/../.." && pwd)"
jb="$top/jbuild"
if [ "$(id -u)" != 0 ]; then
  echo "demo: run as root (RUN steps need namespaces and overlayfs)" >&2
  exit 1
fi
"$top/.ci/deps"

work="$(mktemp -d /tmp/jbuild-demo.XXXXXX)"
reg_pid=""
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Base image localbase/busybox:1 from Debian's busybox-static"
"$top/samples/base/busybox-rootfs.sh" "$work/busybox.tar"
"$jb" import "$work/busybox.tar" localbase/busybox:1

step "jbuild build -t helloworld samples/helloworld"
"$jb" build --progress=plain -t helloworld "$here"

step "jbuild run --rm helloworld"
"$jb" run --rm helloworld

step "A docker-registry on 127.0.0.1"
port=5000
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
cat >"$work/registry.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $work/registry}
http:
  addr: 127.0.0.1:$port
  secret: jbuild-demo
YML
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
reg_pid=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
  sleep 0.2
done
ref="127.0.0.1:$port/geektime/helloworld:v1"

step "jbuild push $ref"
"$jb" tag helloworld "$ref"
"$jb" push "$ref"

step "jbuild pull into a fresh store, then run the pulled image"
"$jb" --root "$work/store2" pull "$ref"
"$jb" --root "$work/store2" run --rm "$ref"

step "Done: helloworld was built, run, pushed and pulled back"
