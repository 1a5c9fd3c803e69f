#!/usr/bin/python3
"""PyTorch reference for bench/train-speed.ts: the same training steps, timed the same way.

A yardstick only; nothing in ltx imports PyTorch. Debian's python3-torch uses the reference BLAS
unless OpenBLAS is loaded first, so run it as train-speed.ts does:

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=2 \
    /usr/bin/python3 bench/torch_reference.py --threads 2

Prints one JSON object per workload on stdout:
  {"workload", "steps", "step_ms_median", "steps_per_s", "torch", "threads", "blas"}
"""

import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

BATCH = 60
LR = 0.1


def he_normal(*shape, fan_in):
    return (torch.randn(*shape) * (2.0 / fan_in) ** 0.5).requires_grad_()


def mlp():
    """LeNet-300-100: 784-300-100-10, ReLU."""
    sizes = [784, 300, 100, 10]
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        params += [he_normal(fan_in, fan_out, fan_in=fan_in), torch.zeros(fan_out, requires_grad=True)]

    def forward(x):
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = F.relu(h)
        return h

    x = torch.randn(BATCH, 784)
    return params, forward, x


def conv2():
    """Conv-2: two 3x3 convs of 64 channels ('same'), max-pool 2, dense 256-256-10, on 32x32x3."""
    params = [
        he_normal(64, 3, 3, 3, fan_in=27), torch.zeros(64, requires_grad=True),
        he_normal(64, 64, 3, 3, fan_in=576), torch.zeros(64, requires_grad=True),
        he_normal(16 * 16 * 64, 256, fan_in=16 * 16 * 64), torch.zeros(256, requires_grad=True),
        he_normal(256, 256, fan_in=256), torch.zeros(256, requires_grad=True),
        he_normal(256, 10, fan_in=256), torch.zeros(10, requires_grad=True),
    ]
    w1, b1, w2, b2, d1, c1, d2, c2, d3, c3 = params

    def forward(x):
        h = F.relu(F.conv2d(x, w1, b1, padding=1))
        h = F.relu(F.conv2d(h, w2, b2, padding=1))
        h = F.max_pool2d(h, 2).flatten(1)
        h = F.relu(h @ d1 + c1)
        h = F.relu(h @ d2 + c2)
        return h @ d3 + c3

    x = torch.randn(BATCH, 3, 32, 32)
    return params, forward, x


def time_steps(params, forward, x, warmup, steps):
    labels = torch.randint(0, 10, (BATCH,))

    def step():
        for p in params:
            p.grad = None
        loss = F.cross_entropy(forward(x), labels)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= LR * p.grad
        return loss

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def blas_name():
    """The BLAS library actually loaded (Debian's torch links the generic libblas.so.3 name)."""
    try:
        with open("/proc/self/maps") as maps:
            libraries = {line.split()[-1] for line in maps if ".so" in line}
    except OSError:
        return "unknown"
    for library in sorted(libraries):
        name = library.rsplit("/", 1)[-1]
        if "openblas" in name:
            return "OpenBLAS"
        if name.startswith("libblas") and "/blas/" in library:
            return "reference BLAS"
    return "unknown"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--mlp-steps", type=int, default=100)
    parser.add_argument("--conv-steps", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    workloads = [
        ("lenet-300-100", mlp, 5, args.mlp_steps),
        ("conv-2", conv2, 2, args.conv_steps),
    ]
    for name, build, warmup, steps in workloads:
        median = time_steps(*build(), warmup=warmup, steps=steps)
        print(json.dumps({
            "workload": name,
            "steps": steps,
            "step_ms_median": median * 1000,
            "steps_per_s": 1 / median,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "blas": blas_name(),
        }), flush=True)


if __name__ == "__main__":
    main()
