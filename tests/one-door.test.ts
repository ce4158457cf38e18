import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every `from '…'` and `import('…')` specifier of the .ts files under `dir`, as "file: specifier". */
function importsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const source = fs.readFileSync(path.join(dir, entry), 'utf8');
    for (const m of source.matchAll(/(?:from\s+|import\s*\(\s*)'([^']+)'/g)) out.push(`${path.join(dir, entry)}: ${m[1]}`);
  }
  return out;
}

describe('the engine is the front ends\' one door (issue 13)', () => {
  it.each(['src/bot', 'src/console'])('%s imports nothing from src/store or src/render', (dir) => {
    const imports = importsUnder(dir);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((line) => /\/(store|render)\//.test(line))).toEqual([]);
  });
});
