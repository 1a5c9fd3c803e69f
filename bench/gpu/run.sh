#!/usr/bin/env bash
# The WebGPU benchmark on a bare NVIDIA machine without network: everything but the GPU driver comes
# with the unpacked bundle (bench/gpu/pack.sh): the project's Node 24 (node_modules/node), the `webgpu`
# package (Dawn), tfjs, and Debian's Vulkan loader unpacked under bench/gpu/debs/. The NVIDIA driver
# must be installed with its Vulkan part (libGLX_nvidia.so.0; its ICD file is written here if the
# driver's installer left none). Checks the adapter, runs the WebGPU gradient checks, times LeNet-300-100
# and Conv-2 training steps, writes bench/gpu/results.md with the GPU's name. Ends within 10 minutes.
#
#   bench/gpu/run.sh [--software] [bench.ts options: --mlp-steps N --conv-steps N --write-results ...]
#
# --software forces mesa's lavapipe (the system's, /usr/share/vulkan/icd.d/lvp_icd.*.json): how the
# script is tested where there is no GPU.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
node="$root/node_modules/node/bin/node"
debs="$here/debs/root"
limit_s=570

die() { echo "bench/gpu: $*" >&2; exit 1; }
# ldconfig lives in /sbin, which a plain user's PATH may lack.
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)

software=0
args=()
for arg in "$@"; do
  if [ "$arg" = --software ]; then software=1; else args+=("$arg"); fi
done

[ -x "$node" ] || die "no Node at $node: unpack the bundle made by bench/gpu/pack.sh (it carries the project's Node 24)"
echo "node: $("$node" --version) ($node)"

# The Vulkan loader: the system's if it has one, otherwise Debian's libvulkan1 unpacked beside this script.
if "$ldconfig" -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  echo "vulkan loader: the system's"
elif [ -e "$debs/usr/lib/x86_64-linux-gnu/libvulkan.so.1" ]; then
  export LD_LIBRARY_PATH="$debs/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "vulkan loader: $debs/usr/lib/x86_64-linux-gnu/libvulkan.so.1 (Debian's libvulkan1, unpacked)"
else
  die "no Vulkan loader: neither the system's libvulkan.so.1 nor $debs/usr/lib/x86_64-linux-gnu/libvulkan.so.1 (run bench/gpu/pack.sh first)"
fi

icd_dirs=(/usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/share/vulkan/icd.d "$debs/usr/share/vulkan/icd.d")
first_icd() {
  local dir file
  for dir in "${icd_dirs[@]}"; do
    for file in "$dir"/$1; do
      [ -e "$file" ] && { echo "$file"; return 0; }
    done
  done
  return 1
}

if [ $software = 1 ]; then
  icd=$(first_icd 'lvp_icd*.json') || die "--software: no lavapipe ICD (lvp_icd*.json) in ${icd_dirs[*]}; install mesa-vulkan-drivers"
  args+=(--allow-software)
else
  if command -v nvidia-smi >/dev/null; then
    echo "nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | head -1)"
  else
    echo "nvidia-smi: not found (continuing: the Vulkan driver is what counts)"
  fi
  if ! icd=$(first_icd 'nvidia_icd*.json'); then
    # Driver installs without the ICD file still have the library the file names.
    lib=$("$ldconfig" -p 2>/dev/null | awk '/libGLX_nvidia\.so\.0 /{print $NF; exit}')
    [ -n "$lib" ] || die "no NVIDIA Vulkan driver: no nvidia_icd.json in ${icd_dirs[*]} and no libGLX_nvidia.so.0 (install the NVIDIA driver with its GL/Vulkan libraries)"
    icd=$(mktemp -d)/nvidia_icd.json
    printf '{"file_format_version": "1.0.0", "ICD": {"library_path": "%s", "api_version": "1.3"}}\n' "$lib" >"$icd"
    echo "vulkan driver: no ICD file was installed; wrote $icd for $lib"
  fi
fi
echo "vulkan driver: $icd"
# Only this driver: Dawn must not pick another (older loaders read the first name, newer ones the second).
export VK_ICD_FILENAMES="$icd" VK_DRIVER_FILES="$icd"

cd "$root"
timeout --kill-after=10 "$limit_s" "$node" bench/gpu/bench.ts "${args[@]}" || {
  status=$?
  [ $status -eq 124 ] && die "stopped after $limit_s s (the whole run must fit in 10 minutes): fewer --mlp-steps/--conv-steps"
  exit $status
}
