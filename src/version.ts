import fs from 'node:fs';

/** "tellaface <version>" from package.json: the software name written into every face's label. */
function readSoftware(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    return `${typeof pkg.name === 'string' ? pkg.name : 'tellaface'} ${typeof pkg.version === 'string' ? pkg.version : 'unknown'}`;
  } catch {
    return 'tellaface';
  }
}

export const SOFTWARE = readSoftware();
