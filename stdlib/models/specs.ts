// Builders for the parameter lists of the usual layers, so every model names and shapes them alike:
// `<layer>.weight` / `<layer>.bias` for dense and conv, `<layer>.scale` / `<layer>.shift` for norms.
import type { ParamSpec } from './types.ts';

export function denseParams(layer: string, fanIn: number, fanOut: number, bias = true): ParamSpec[] {
  const specs: ParamSpec[] = [
    { name: `${layer}.weight`, layer, role: 'weight', shape: [fanIn, fanOut], prunable: true, fanIn, fanOut },
  ];
  if (bias) specs.push({ name: `${layer}.bias`, layer, role: 'bias', shape: [fanOut], prunable: false, fanIn, fanOut });
  return specs;
}

/** An HWIO kernel of a square `kernel`×`kernel` convolution. */
export function convParams(layer: string, kernel: number, cIn: number, cOut: number, bias: boolean): ParamSpec[] {
  const fanIn = kernel * kernel * cIn;
  const fanOut = kernel * kernel * cOut;
  const specs: ParamSpec[] = [
    { name: `${layer}.weight`, layer, role: 'weight', shape: [kernel, kernel, cIn, cOut], prunable: true, fanIn, fanOut },
  ];
  if (bias) specs.push({ name: `${layer}.bias`, layer, role: 'bias', shape: [cOut], prunable: false, fanIn, fanOut });
  return specs;
}

/** A layer norm over `size` features: trainable scale and shift. */
export function layerNormParams(layer: string, size: number): ParamSpec[] {
  return [
    { name: `${layer}.scale`, layer, role: 'norm_scale', shape: [size], prunable: false, fanIn: size, fanOut: size },
    { name: `${layer}.shift`, layer, role: 'norm_shift', shape: [size], prunable: false, fanIn: size, fanOut: size },
  ];
}

/** Batch-norm running variances start at 1, running means at 0. */
export function isRunningVariance(spec: ParamSpec): boolean {
  return spec.role === 'buffer' && spec.name.endsWith('.var');
}

/** A batch norm over `channels`: trainable scale and shift plus running mean and variance buffers. */
export function batchNormParams(layer: string, channels: number): ParamSpec[] {
  const buffer = (stat: 'mean' | 'var'): ParamSpec => ({
    name: `${layer}.${stat}`,
    layer,
    role: 'buffer',
    shape: [channels],
    prunable: false,
    fanIn: channels,
    fanOut: channels,
  });
  return [...layerNormParams(layer, channels), buffer('mean'), buffer('var')];
}
