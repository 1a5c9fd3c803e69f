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
CONV_LR = 0.01  # the Conv-N nets' (bench/workloads.ts: at 0.1 Conv-4's loss reaches NaN in its fourth step)


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


def conv_net(input_shape, convs, hidden):
    """Conv layers (kernel, channels, padding, pool after) with ReLU, a flatten, dense `hidden` widths, 10 logits.

    Images are NCHW (PyTorch's own layout); bench/workloads.ts builds the same layers on NHWC.
    """
    channels, height, width = input_shape
    params, layers = [], []
    for kernel, out, padding, pool in convs:
        params += [he_normal(out, channels, kernel, kernel, fan_in=kernel * kernel * channels),
                   torch.zeros(out, requires_grad=True)]
        layers.append((padding, pool))
        height, width = height + 2 * padding - kernel + 1, width + 2 * padding - kernel + 1
        if pool:
            height, width = height // 2, width // 2
        channels = out
    widths = [channels * height * width, *hidden, 10]
    for fan_in, fan_out in zip(widths, widths[1:]):
        params += [he_normal(fan_in, fan_out, fan_in=fan_in), torch.zeros(fan_out, requires_grad=True)]

    def forward(x):
        h = x
        for i, (padding, pool) in enumerate(layers):
            h = F.relu(F.conv2d(h, params[2 * i], params[2 * i + 1], padding=padding))
            if pool:
                h = F.max_pool2d(h, 2)
        h = h.flatten(1)
        dense = params[2 * len(layers):]
        for i in range(0, len(dense), 2):
            h = h @ dense[i] + dense[i + 1]
            if i + 2 < len(dense):
                h = F.relu(h)
        return h

    x = torch.randn(BATCH, *input_shape)
    return params, forward, x


def vgg(groups):
    """The Conv-2/4/6 layers: 3x3 'same' convs, a 2x2 max-pool after each group."""
    return [(3, out, 1, i == len(group) - 1) for group in groups for i, out in enumerate(group)]


def conv2():
    """Conv-2: convs 64, 64, pool, dense 256-256-10, on 32x32x3."""
    return conv_net((3, 32, 32), vgg([[64, 64]]), [256, 256])


def conv4():
    """Conv-4: Conv-2's convs, then 128, 128, pool; dense 256-256-10, on 32x32x3."""
    return conv_net((3, 32, 32), vgg([[64, 64], [128, 128]]), [256, 256])


def conv6():
    """Conv-6: Conv-4's convs, then 256, 256, pool; dense 256-256-10, on 32x32x3."""
    return conv_net((3, 32, 32), vgg([[64, 64], [128, 128], [256, 256]]), [256, 256])


def lenet5():
    """LeNet-5 as ltx's lenet5: 5x5 convs 6 ('same') and 16 ('valid'), each pooled; dense 120-84-10, on 28x28x1."""
    return conv_net((1, 28, 28), [(5, 6, 2, True), (5, 16, 0, True)], [120, 84])


class Trainer:
    """One workload's weights, data and SGD step, built once and timed in rounds."""

    def __init__(self, build, lr, warmup):
        self.params, self.forward, self.x = build()
        self.lr = lr
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
                p -= self.lr * p.grad
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


# name: (network, learning rate, warm-up steps)
WORKLOADS = {
    "lenet-300-100": (mlp, LR, 30),
    "conv-2": (conv2, CONV_LR, 2),
    "conv-4": (conv4, CONV_LR, 2),
    "conv-6": (conv6, CONV_LR, 2),
    "lenet5": (lenet5, LR, 30),
}


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
    parser.add_argument("--conv-steps", type=int, default=10, help="steps of each of Conv-2, Conv-4, Conv-6")
    parser.add_argument("--lenet5-steps", type=int, default=100)
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
            build, lr, warmup = WORKLOADS[name]
            trainers[name] = Trainer(build, lr, warmup)
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
    steps_of = {"lenet-300-100": args.mlp_steps, "lenet5": args.lenet5_steps}
    for name in WORKLOADS:
        steps = steps_of.get(name, args.conv_steps)
        report(name, trainer(name).time(steps), threads)


if __name__ == "__main__":
    main()
