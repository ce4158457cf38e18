import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// the fixture G with the fixture F that has an age head and features: every column of the report is filled
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tellaface-eval-axes-'));
fs.copyFileSync('tests/fixtures/models/generator.onnx', path.join(dir, 'generator.onnx'));
fs.copyFileSync('tests/fixtures/models/axes.json', path.join(dir, 'axes.json'));
fs.copyFileSync('tests/fixtures/models-age/classifier.onnx', path.join(dir, 'classifier.onnx'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const evalAxes = (...args: string[]) =>
  spawnSync('node_modules/.bin/tsx', ['src/cli/eval-axes.ts', '--models-dir', dir, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, EXECUTION_PROVIDER: 'cpu', LOG_LEVEL: 'error' },
  });

interface Row {
  name: string;
  on: number;
  off: number;
  onOff: number;
  byGender: { women: { on: number; off: number }; men: { on: number; off: number } };
  maleLocked: number;
  ageLocked?: number;
  drift?: number;
  driftHalf?: number;
}

describe('npm run eval:axes', () => {
  it('reports on and off apart, the age held in years and identity drift, for the attributes asked', () => {
    const r = evalAxes('--seeds', '6', '--json', '--closed-loop', '--only', 'Smiling,No_Beard');
    expect(r.status, r.stderr).toBe(0);
    const { seeds, rows } = JSON.parse(r.stdout) as { seeds: number; rows: Row[] };
    expect(seeds).toBe(6);
    expect(rows.map((x) => x.name)).toEqual(['No_Beard', 'Smiling']);
    for (const row of rows) {
      expect(row.onOff).toBe(Math.min(row.on, row.off));
      // the split by gender: the whole is a weighted mean of its two parts, so it lies between them
      const { women, men } = row.byGender;
      for (const k of ['on', 'off'] as const) {
        expect(row[k]).toBeGreaterThanOrEqual(Math.min(women[k], men[k]) - 1e-9);
        expect(row[k]).toBeLessThanOrEqual(Math.max(women[k], men[k]) + 1e-9);
      }
      for (const v of [row.on, row.off]) expect(v * 6).toBeCloseTo(Math.round(v * 6), 6); // a count of seeds
      expect(row.ageLocked).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(row.ageLocked)).toBe(true);
      // drift is a distance over the distance between two seeds: positive for a real edit, finite
      expect(row.drift).toBeGreaterThan(0);
      expect(Number.isFinite(row.drift)).toBe(true);
      expect(row.driftHalf).toBeGreaterThanOrEqual(0);
    }
  });

  it('prints the drift and age summary lines in its table', () => {
    const r = evalAxes('--seeds', '4', '--only', 'Smiling', '--no-holds');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/locks: none/);
    expect(r.stdout).toMatch(/identity drift \(F's features, 1 = a different seed\): ±1 targets \d+\.\d\d/);
    expect(r.stdout).toMatch(/age held \(F's age head\)/);
  });

  it('--holds keeps only the holds named, and says so', () => {
    const r = evalAxes('--seeds', '4', '--only', 'Smiling', '--holds', 'Male');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/locks: Male unless edited/);
    const bad = evalAxes('--seeds', '4', '--only', 'Smiling', '--holds', 'Gender');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--holds: no attribute called Gender/);
  });

  it('names an attribute it does not know, and exits 1', () => {
    const r = evalAxes('--seeds', '4', '--only', 'Smiling,Beard');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no attribute called Beard/);
  });
});
