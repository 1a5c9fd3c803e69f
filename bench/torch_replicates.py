#!/usr/bin/python3
"""PyTorch reference for bench/replicates.ts: R masked MLP runs trained the OpenLTH way (one masked
dense model at a time), or all R at once with functorch's vmap.

A yardstick only; nothing in ltx imports PyTorch. Run it as bench/replicates.ts does, with OpenBLAS first:

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=2 \
    /usr/bin/python3 bench/torch_replicates.py --sizes 784,300,100,10 --runs 9 --steps 200 --threads 2 --mode sequential

Each run: its own seeded init, keep-mask (density --density of every layer but the output; density 1
means dense) and data order over a fixed random training set of --examples examples; SGD with momentum
0.9, lr 0.05, batch 60, mean softmax cross-entropy; the gradient, the momentum and the weights are
masked after each step (masked weights stay zero). Prints one JSON object: wall and CPU seconds of the
training alone (set-up excluded), and the torch version, threads and BLAS.
"""

import argparse
import json
import time

import torch
import torch.nn.functional as F

BATCH = 60
LR = 0.05
MOMENTUM = 0.9


def build(sizes, runs, density, examples):
    torch.manual_seed(0)
    x = torch.randn(examples, sizes[0])
    y = torch.randint(0, sizes[-1], (examples,))
    members = []
    for r in range(runs):
        g = torch.Generator().manual_seed(1000 + r)
        params, masks = [], []
        layers = list(zip(sizes, sizes[1:]))
        for i, (fan_in, fan_out) in enumerate(layers):
            w = torch.randn(fan_in, fan_out, generator=g) * (2.0 / fan_in) ** 0.5
            keep = density >= 1 or i == len(layers) - 1
            m = torch.ones(fan_in, fan_out) if keep else (torch.rand(fan_in, fan_out, generator=g) < density).float()
            params += [(w * m).requires_grad_(), torch.zeros(fan_out, requires_grad=True)]
            masks += [m, None]
        order = torch.randperm(examples, generator=g)
        members.append((params, masks, order))
    return x, y, members


def forward(params, h):
    for i in range(0, len(params), 2):
        h = h @ params[i] + params[i + 1]
        if i + 2 < len(params):
            h = F.relu(h)
    return h


def batch_rows(order, step, examples):
    per_epoch = (examples + BATCH - 1) // BATCH
    start = (step % per_epoch) * BATCH
    return order[start:start + BATCH]


def masked_sgd_step(params, grads, buffers, masks):
    """SGD with momentum; the gradient and the weights masked, so masked weights stay zero."""
    with torch.no_grad():
        for p, g, b, m in zip(params, grads, buffers, masks):
            if m is not None:
                g = g * m
            b.mul_(MOMENTUM).add_(g)
            p.sub_(LR * b)
            if m is not None:
                p.mul_(m)


def sequential(x, y, members, steps, examples):
    """One run after another, each a masked dense model (OpenLTH)."""
    for params, masks, order in members:
        buffers = [torch.zeros_like(p) for p in params]
        for step in range(steps):
            rows = batch_rows(order, step, examples)
            loss = F.cross_entropy(forward(params, x[rows]), y[rows])
            masked_sgd_step(params, torch.autograd.grad(loss, params), buffers, masks)


def vmapped(x, y, members, steps, examples):
    """All runs at once: stacked weights, functorch.vmap over the per-run gradient."""
    from functorch import grad, vmap

    count = len(members[0][0])
    stacked = [torch.stack([m[0][i].detach() for m in members]) for i in range(count)]
    masks = [None if members[0][1][i] is None else torch.stack([m[1][i] for m in members]) for i in range(count)]
    buffers = [torch.zeros_like(p) for p in stacked]
    orders = [m[2] for m in members]

    def loss(params, xb, yb):
        return F.cross_entropy(forward(params, xb), yb)

    per_run_grad = vmap(grad(loss))
    for step in range(steps):
        rows = torch.stack([batch_rows(o, step, examples) for o in orders])
        masked_sgd_step(stacked, per_run_grad(stacked, x[rows], y[rows]), buffers, masks)


def blas_name():
    try:
        with open('/proc/self/maps') as maps:
            text = maps.read()
        if 'openblas' in text:
            return 'OpenBLAS'
        if 'libblas' in text:
            return 'reference BLAS'
    except OSError:
        pass
    return 'unknown'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--sizes', required=True)
    parser.add_argument('--runs', type=int, required=True)
    parser.add_argument('--steps', type=int, required=True)
    parser.add_argument('--density', type=float, default=1.0)
    parser.add_argument('--examples', type=int, default=6000)
    parser.add_argument('--threads', type=int, default=1)
    parser.add_argument('--mode', choices=['sequential', 'vmap'], default='sequential')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    sizes = [int(s) for s in args.sizes.split(',')]
    x, y, members = build(sizes, args.runs, args.density, args.examples)
    train = sequential if args.mode == 'sequential' else vmapped
    # One untimed step of every run first, so lazy initialisation is not timed.
    train(x, y, members, 1, args.examples)
    x, y, members = build(sizes, args.runs, args.density, args.examples)
    wall, cpu = time.perf_counter(), time.process_time()
    train(x, y, members, args.steps, args.examples)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({'wall_s': wall, 'cpu_s': cpu, 'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas_name(), 'mode': args.mode}))


if __name__ == '__main__':
    main()
