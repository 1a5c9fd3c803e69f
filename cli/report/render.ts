// Vega-Lite specs to SVG, in Node: compiled to Vega, run headless (no canvas: text is measured by
// Vega's estimate), serialized as SVG markup ready to be inlined in a page.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * The SVG of `spec`. Its ids (clip paths, gradients) are prefixed with `idPrefix`, since every inline
 * SVG of a page shares one id namespace and Vega numbers them from 1 in each.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return prefixIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}
