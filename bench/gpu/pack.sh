#!/usr/bin/env bash
# Makes the bundle bench/gpu/run.sh needs on a GPU machine without network. Run it on a Debian machine
# with network, in a clone where `npm ci` has run:
#
#   bench/gpu/pack.sh [OUT.tar.gz]        (default: bench/gpu/ltx-gpu-bench.tar.gz)
#
# The bundle holds the project's tracked files, node_modules (the project's Node 24 binary, the
# `webgpu` package with Dawn for linux-x64 only, tfjs) and Debian's Vulkan loader (libvulkan1, fetched
# with `apt-get download` and unpacked with `dpkg -x` into bench/gpu/debs/root). On the GPU machine:
#
#   tar xzf ltx-gpu-bench.tar.gz && cd ltx && bench/gpu/run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$here/ltx-gpu-bench.tar.gz}
debs="$here/debs"

die() { echo "bench/gpu/pack.sh: $*" >&2; exit 1; }
[ -x "$root/node_modules/node/bin/node" ] || die "no node_modules/node/bin/node: run 'npm ci' first"
[ -e "$root/node_modules/webgpu/dist/linux-x64/dawn.node" ] || die "no Dawn binary for linux-x64 in node_modules/webgpu"
command -v apt-get >/dev/null && command -v dpkg >/dev/null || die "needs Debian's apt-get and dpkg"

rm -rf "$debs"
mkdir -p "$debs/root"
(cd "$debs" && apt-get download libvulkan1) || die "apt-get download libvulkan1 failed (is there network, and an apt-get update?)"
for deb in "$debs"/*.deb; do dpkg -x "$deb" "$debs/root"; done
echo "unpacked: $(cd "$debs" && ls ./*.deb)"

# The tracked files plus the unpacked packages and node_modules, under one top directory `ltx/`.
list=$(mktemp)
trap 'rm -f "$list"' EXIT
(cd "$root" && git ls-files && find bench/gpu/debs/root -type f -o -type l && echo node_modules) >"$list"
# node_modules may be a symlink (worktrees share one): -h stores what it points to. Dawn builds for
# other platforms and source maps are left out.
tar -czhf "$out" -C "$root" --transform 's,^,ltx/,' \
  --exclude='node_modules/webgpu/dist/darwin-*' --exclude='node_modules/webgpu/dist/win32-*' \
  --exclude='node_modules/webgpu/dist/linux-arm64' --exclude='*.map' -T "$list"
echo "bundle: $out ($(du -h "$out" | cut -f1))"
