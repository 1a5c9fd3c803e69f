// Rewrites the generated standard-library reference inside docs/language.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REFERENCE_END, REFERENCE_START, renderReference } from '../stdlib/reference.ts';

const file = fileURLToPath(new URL('../docs/language.md', import.meta.url));
const text = readFileSync(file, 'utf8');
const from = text.indexOf(REFERENCE_START);
const to = text.indexOf(REFERENCE_END);
if (from < 0 || to < from) throw new Error('docs/language.md lacks the reference markers');
writeFileSync(file, text.slice(0, from + REFERENCE_START.length) + '\n\n' + renderReference() + '\n' + text.slice(to));
console.log('docs/language.md: reference updated');
