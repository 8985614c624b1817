#!/bin/sh
# Reads what runtimes read about themselves from /proc (the JVM finds its home through
# /proc/self/exe; Go and Node read /proc/self/status and /proc/self/fd), and fails if any of it
# is missing: a chroot without /proc is what in-place mode exists to avoid.
set -eu
name=$(sed -n 's/^Name:[[:space:]]*//p' /proc/self/status)
uid=$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status)
exe=$(readlink /proc/self/exe)
echo "status Name=$name Uid=$uid exe=$exe"
[ "$name" = sed ] && [ "$uid" = 0 ] && [ -x "$exe" ]
test -r /proc/self/cmdline && test -e /proc/self/fd/1 && test -r /proc/cpuinfo
echo "proc ok"
