#!/usr/bin/python3
"""PyTorch reference for bench/imp-ladder.ts: the recipe of bench/imp-ladder.ltx, the OpenLTH way.

LeNet-300-100 on Fashion-MNIST (pixels / 255), Adam lr 1.2e-3, batch 60, `--steps` steps per run, a
fresh random order each epoch. Level 0 trains from a Kaiming-normal init; level l prunes 20% of the
remaining fc weights by global magnitude (the output layer kept), rewinds to the init under the mask
and retrains; the control re-initializes the weights (a new Kaiming-normal draw) under the same mask
and trains. Masks are applied as OpenLTH's PrunedModel does: one masked dense model at a time, the
weights multiplied by the mask before every forward, at full dense cost. Test accuracy after each run.

A yardstick only; nothing in ltx imports PyTorch. Run with OpenBLAS first (see bench/README.md):
  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=2 \
    /usr/bin/python3 bench/torch_imp_ladder.py --threads 2 --steps 3000
Prints one JSON line: {"seconds", "runs", "steps", "threads", "torch", "accuracies"}.
"""

import argparse
import gzip
import json
import time

import numpy as np
import torch
import torch.nn.functional as F

DATA = "/usr/share/datasets/fashion-mnist"
SIZES = [784, 300, 100, 10]
LEVELS = 12
RATE = 0.2
BATCH = 60
LR = 1.2e-3


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    images = idx(f"{DATA}/{split}-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255.0
    labels = idx(f"{DATA}/{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


def init_weights(generator):
    weights = []
    for fan_in, fan_out in zip(SIZES, SIZES[1:]):
        w = torch.randn(fan_in, fan_out, generator=generator) * (2.0 / fan_in) ** 0.5
        weights += [w, torch.zeros(fan_out)]
    return weights


def forward(params, masks, x):
    h = x
    for i in range(0, len(params), 2):
        w = params[i] * masks[i // 2] if masks[i // 2] is not None else params[i]
        h = h @ w + params[i + 1]
        if i + 2 < len(params):
            h = F.relu(h)
    return h


def train(start, masks, train_x, train_y, steps, generator):
    params = [p.clone().requires_grad_() for p in start]
    optimizer = torch.optim.Adam(params, lr=LR)
    n = train_x.shape[0]
    order = torch.randperm(n, generator=generator)
    position = 0
    for _ in range(steps):
        if position + BATCH > n:
            order = torch.randperm(n, generator=generator)
            position = 0
        rows = order[position: position + BATCH]
        position += BATCH
        loss = F.cross_entropy(forward(params, masks, train_x[rows]), train_y[rows])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [p.detach() for p in params]


def accuracy(params, masks, test_x, test_y):
    with torch.no_grad():
        return float((forward(params, masks, test_x).argmax(1) == test_y).float().mean())


def prune(params, masks):
    """Global magnitude pruning of RATE of the remaining fc weights (not the output layer)."""
    prunable = range(len(masks) - 1)
    kept = torch.cat([(params[2 * i] * masks[2 * i // 2]).abs()[masks[i].bool()] for i in prunable])
    count = int(round(RATE * kept.numel()))
    threshold = kept.sort().values[count - 1] if count > 0 else -1.0
    out = [((params[2 * i].abs() > threshold) & masks[i].bool()).float() for i in prunable]
    return out + [masks[-1]]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=3000)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    train_x, train_y = load("train")
    test_x, test_y = load("t10k")
    generator = torch.Generator().manual_seed(0)
    theta0 = init_weights(generator)
    masks = [torch.ones(a, b) for a, b in zip(SIZES, SIZES[1:])]
    trained = train(theta0, masks, train_x, train_y, args.steps, generator)
    accuracies = [accuracy(trained, masks, test_x, test_y)]
    runs = 1
    for _ in range(LEVELS):
        masks = prune(trained, masks)
        trained = train(theta0, masks, train_x, train_y, args.steps, generator)
        control = train(init_weights(generator), masks, train_x, train_y, args.steps, generator)
        accuracies.append([accuracy(trained, masks, test_x, test_y), accuracy(control, masks, test_x, test_y)])
        runs += 2
    print(json.dumps({
        "seconds": time.perf_counter() - started, "runs": runs, "steps": args.steps, "threads": args.threads,
        "torch": torch.__version__, "accuracies": accuracies,
    }))


if __name__ == "__main__":
    main()
