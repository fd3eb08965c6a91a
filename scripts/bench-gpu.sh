#!/usr/bin/env bash
# The GPU bench: Saddle on WebGPU (Vulkan) against PyTorch on CUDA, same models, data and batches.
#
#   scripts/bench-gpu.sh prepare   # here (Node, npm, apt): fills .gpu-bench/ (ignored) with a
#                                  # compressed node, the bundled bench, Dawn's linux-x64 binary and
#                                  # the Vulkan loader, for a machine that has none of them
#   scripts/bench-gpu.sh           # on the NVIDIA machine (PyTorch with CUDA, no Node, no network)
#
# The run takes at most 8 minutes (BENCH_TIMEOUT seconds, 460 by default) and prints a table of
# seconds and ratios, then the top-5 Hessian eigenvalues of ResNet-20 on the GPU and their time.
# A smoke test where there is no GPU (llvmpipe; PyTorch then fails at CUDA, as it should):
#   BENCH_ALLOW_SOFTWARE=1 BENCH_SCALE=0.005 BENCH_REPS=1 BENCH_ITERATIONS=3 BENCH_ONLY=resnet20 \
#     EGL_PLATFORM=surfaceless scripts/bench-gpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
B=.gpu-bench

if [ "${1:-run}" = prepare ]; then
  rm -rf "$B" && mkdir -p "$B/node_modules/webgpu/dist/linux-x64" "$B/vk"
  node scripts/build-cli.mjs benchgpu
  cp dist/bench-gpu.mjs "$B/"
  cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$B/node_modules/webgpu/"
  cp node_modules/webgpu/dist/linux-x64/dawn.node "$B/node_modules/webgpu/dist/linux-x64/"
  (cd "$B" && apt-get download libvulkan1 >/dev/null && dpkg-deb -x libvulkan1_*.deb vk && rm libvulkan1_*.deb)
  xz -9 -T0 -c "$(command -v node)" > "$B/node.xz"
  du -sh "$B"
  exit 0
fi

[ -f "$B/node.xz" ] || { echo "bench-gpu: $B is missing; run 'scripts/bench-gpu.sh prepare' first (where Node is)." >&2; exit 2; }
NODE=/tmp/saddle-bench-node
xz -dc "$B/node.xz" > "$NODE" && chmod +x "$NODE"
export LD_LIBRARY_PATH="$PWD/$B/vk/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
icd=""
for f in /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  [ -f "$f" ] && icd="$f" && break
done
if [ -z "$icd" ]; then
  # NVIDIA's driver ships its Vulkan ICD inside libGLX_nvidia; describe it when no JSON is installed.
  icd=/tmp/saddle_nvidia_icd.json
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' > "$icd"
fi
export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || true
SADDLE_RESOURCES="$PWD" timeout "${BENCH_TIMEOUT:-460}" "$NODE" "$B/bench-gpu.mjs"
