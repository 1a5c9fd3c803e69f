#!/usr/bin/python3
"""PyTorch reference for bench/train-speed.ts: the same training steps, timed the same way.

A yardstick only; nothing in ltx imports PyTorch. Debian's python3-torch uses the reference BLAS
unless OpenBLAS is loaded first, so run it as train-speed.ts does:

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=2 \
    /usr/bin/python3 bench/torch_reference.py --threads 2

Prints one JSON object per workload on stdout:
  {"workload", "steps", "step_ms_median", "steps_per_s", "torch", "threads", "blas", "step_ms"}
With --serve it instead answers "WORKLOAD STEPS" lines from stdin, one JSON line each, keeping each
workload's weights between requests; train-speed.ts uses that to alternate rounds with tfjs.
"""

import argparse
import json
import statistics
import sys
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


class Trainer:
    """One workload's weights, data and SGD step, built once and timed in rounds."""

    def __init__(self, build, warmup):
        self.params, self.forward, self.x = build()
        self.labels = torch.randint(0, 10, (BATCH,))
        for _ in range(warmup):
            self.step()

    def step(self):
        for p in self.params:
            p.grad = None
        loss = F.cross_entropy(self.forward(self.x), self.labels)
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p -= LR * p.grad
        return loss

    def time(self, steps, settle=0):
        """Seconds each of `steps` steps took, after `settle` untimed ones."""
        for _ in range(settle):
            self.step()
        times = []
        for _ in range(steps):
            start = time.perf_counter()
            self.step()
            times.append(time.perf_counter() - start)
        return times


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


WORKLOADS = {"lenet-300-100": (mlp, 30), "conv-2": (conv2, 2)}


def report(name, times, threads):
    median = statistics.median(times)
    print(json.dumps({
        "workload": name,
        "steps": len(times),
        "step_ms_median": median * 1000,
        "steps_per_s": 1 / median,
        "torch": torch.__version__,
        "threads": threads,
        "blas": blas_name(),
        "step_ms": [t * 1000 for t in times],
    }), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--mlp-steps", type=int, default=100)
    parser.add_argument("--conv-steps", type=int, default=10)
    parser.add_argument(
        "--serve", action="store_true",
        help='read "WORKLOAD STEPS" lines from stdin and answer each with one JSON line, so that '
             "a caller can interleave these rounds with its own (same load, same sitting)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    threads = torch.get_num_threads()
    torch.manual_seed(0)
    trainers = {}

    def trainer(name):
        if name not in trainers:
            build, warmup = WORKLOADS[name]
            trainers[name] = Trainer(build, warmup)
        return trainers[name]

    if args.serve:
        for line in sys.stdin:
            if not line.strip():
                continue
            name, steps = line.split()
            # A few untimed steps first: after idling while the caller ran its round, BLAS and
            # OpenMP worker threads have gone to sleep, and waking them is not what is measured.
            report(name, trainer(name).time(int(steps), settle=3), threads)
        return
    for name, steps in (("lenet-300-100", args.mlp_steps), ("conv-2", args.conv_steps)):
        report(name, trainer(name).time(steps), threads)


if __name__ == "__main__":
    main()
