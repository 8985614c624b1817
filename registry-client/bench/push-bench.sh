#!/usr/bin/env bash
# Push benchmark (not part of mvn verify): a ~500 MB, 5-layer image pushed to a loopback
# docker-registry by jbuild, by `skopeo copy` (from the same gzip blobs, as an OCI layout) and by
# `docker push` (when a Docker engine answers). Prints MB/s of compressed bytes sent.
#
#   sudo registry-client/bench/push-bench.sh            # layer size 100 MB each
#   LAYER_MB=20 JBUILD="java -jar builder/target/jbuild.jar" registry-client/bench/push-bench.sh
#
# Needs root (jbuild build runs RUN steps), busybox-static, docker-registry, skopeo.
set -euo pipefail
repo="$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)"
JBUILD="${JBUILD:-$repo/jbuild}"
LAYER_MB="${LAYER_MB:-100}"
work="$(mktemp -d /tmp/jbuild-push-bench.XXXXXX)"
port="$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')"
host="127.0.0.1:$port"
reg_pid=""
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

jb() { $JBUILD --root "$work/store" "$@"; }

mkdir -p "$work/reg"
cat >"$work/reg/config.yml" <<YAML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $work/reg/data}
  cache: {blobdescriptor: inmemory}
http: {addr: $host, secret: bench}
YAML
docker-registry serve "$work/reg/config.yml" >"$work/reg/log" 2>&1 &
reg_pid=$!
for _ in $(seq 100); do curl -fsS "http://$host/v2/" >/dev/null 2>&1 && break; sleep 0.1; done

echo "== building a 5 x ${LAYER_MB} MB image (random, incompressible)"
"$repo/samples/base/busybox-rootfs.sh" "$work/busybox.tar" >/dev/null
jb import "$work/busybox.tar" localbase/busybox:1 >/dev/null
mkdir -p "$work/ctx"
{
  echo "FROM localbase/busybox:1"
  for i in 1 2 3 4 5; do echo "RUN head -c $((LAYER_MB * 1000000)) /dev/urandom > /layer$i"; done
} >"$work/ctx/Dockerfile"
jb build -q -t bench/app:v1 "$work/ctx" >/dev/null

jb save -o "$work/image.tar" bench/app:v1
mkdir -p "$work/oci" && tar -xf "$work/image.tar" -C "$work/oci"
bytes=$(python3 - "$work/oci" <<'PY'
import json, sys, os
d = sys.argv[1]
idx = json.load(open(os.path.join(d, "index.json")))
m = json.load(open(os.path.join(d, "blobs", *idx["manifests"][0]["digest"].split(":"))))
print(sum(l["size"] for l in m["layers"]) + m["config"]["size"])
PY
)
ref_name=$(python3 -c 'import json,sys;i=json.load(open(sys.argv[1]));print(i["manifests"][0].get("annotations",{}).get("org.opencontainers.image.ref.name",""))' "$work/oci/index.json")
mb=$(python3 -c "print(round($bytes/1e6,1))")
echo "== image: $mb MB of blobs"

rate() { python3 -c "import sys;b,s=float(sys.argv[1]),float(sys.argv[2]);print(f'{b/1e6/s:.1f} MB/s ({s:.2f} s)')" "$1" "$2"; }
now() { date +%s.%N; }

jb tag bench/app:v1 "$host/jbuild/app:v1"
t0=$(now); jb push "$host/jbuild/app:v1" >/dev/null; t1=$(now)
echo "jbuild push:        $(rate "$bytes" "$(echo "$t1 - $t0" | bc)") (JVM start included)"
jb tag bench/app:v1 "$host/jbuildmount/app:v1"
t0=$(now); jb push "$host/jbuildmount/app:v1" >/dev/null; t1=$(now)
echo "jbuild push, all layers mounted from jbuild/app: $(echo "$t1 - $t0" | bc) s"

jb tag bench/app:v1 "$host/jbuildchunked/app:v1"
rm -rf "$work/store/distribution" # forget where the blobs are, or they would be mounted
t0=$(now); jb push --chunk-size 16M "$host/jbuildchunked/app:v1" >/dev/null; t1=$(now)
echo "jbuild push 16M chunks: $(rate "$bytes" "$(echo "$t1 - $t0" | bc)")"

src="oci:$work/oci"; [ -n "$ref_name" ] && src="$src:$ref_name"
t0=$(now)
skopeo copy -q --insecure-policy --dest-tls-verify=false "$src" "docker://$host/skopeo/app:v1"
t1=$(now)
echo "skopeo copy:        $(rate "$bytes" "$(echo "$t1 - $t0" | bc)")"

if docker info >/dev/null 2>&1; then
  loaded=$(docker load -q -i "$work/image.tar" | sed -n 's/^Loaded image[^:]*: //p' | tail -1)
  docker tag "$loaded" "$host/docker/app:v1"
  t0=$(now); docker push -q "$host/docker/app:v1" >/dev/null; t1=$(now)
  echo "docker push:        $(rate "$bytes" "$(echo "$t1 - $t0" | bc)") (compresses while pushing)"
  docker rmi -f "$host/docker/app:v1" "$loaded" >/dev/null 2>&1 || true
fi
