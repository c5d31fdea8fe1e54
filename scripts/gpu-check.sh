#!/usr/bin/env bash
# Checks tune's webgpu backend on a machine with a real GPU, in under 5 minutes: the adapter Dawn finds, then the
# mnist MLP and CNN on webgpu with 1, 2 and 4 workers against wasm on the same machine (samples/s).
# Installs nothing but npm packages. Needs the GPU driver's Vulkan support: libvulkan.so.1 and an ICD such as
# /usr/share/vulkan/icd.d/nvidia_icd.json (in a container: NVIDIA_DRIVER_CAPABILITIES with 'graphics', or 'all').
#   scripts/gpu-check.sh              fails if only a software adapter is found
#   scripts/gpu-check.sh --software   accepts Mesa's llvmpipe, with smaller runs (how a machine without a GPU tests this)
# Further arguments go to scripts/bench/gpu.ts, e.g. --workers 1,2 --models mlp.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== machine"
node --version
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
else
  echo "nvidia-smi: not found"
fi
libdir="/usr/lib/$(uname -m)-linux-gnu"
for f in "$libdir/libvulkan.so.1" /usr/share/vulkan/icd.d /etc/vulkan/icd.d; do
  if [ -e "$f" ]; then echo "present: $f $( [ -d "$f" ] && ls "$f" | tr '\n' ' ')"; else echo "missing: $f"; fi
done
echo "NVIDIA_DRIVER_CAPABILITIES=${NVIDIA_DRIVER_CAPABILITIES:-(unset)}"

echo "== packages"
[ -d node_modules ] || npm ci --no-audit --no-fund
node -e "for (const p of ['webgpu', '@tensorflow/tfjs-backend-webgpu']) console.log(p, require(p + '/package.json').version)"

echo "== throughput"
exec node --import tsx scripts/bench/gpu.ts "$@"
