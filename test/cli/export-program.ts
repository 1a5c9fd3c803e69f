// The tiny program the export tests use: an mlp 64-16-10 on the bundled digits, a two-level lottery of
// 30-step runs rewound to step 10, the same loop written out by hand (t, m: the same stages), a probe.
export const EXPORT_PROGRAM = `dataset d = digits(test: 20%, seed: 0)
model net = mlp(input: 64, hidden: [16], classes: 10)
init w0 = kaiming_normal(net, seed: 0)
optimizer opt = sgd(lr: 0.1, momentum: 0.9, batch: 60)
train dense = fit(w0, data: d.train, optimizer: opt, steps: 30 steps, order: 0)
lottery imp = imp(dense, rounds: 2, rate: 50%, rewind: 10 steps)
train t[0] = dense
for level in 1..2 {
  mask m[level] = magnitude(t[level - 1], rate: 50%)
  train t[level] = fit(rewind(dense @ 10 steps, mask: m[level]), like: dense)
}
probe acc = accuracy(imp, on: d.test)
`;
