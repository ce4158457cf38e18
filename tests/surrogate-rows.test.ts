import { describe, expect, it } from 'vitest';
import { ATTRIBUTES } from '../src/face/attributes.js';
import { surrogateRows } from '../src/cli/surrogate-rows.js';

describe('the surrogate\'s samples (npm run surrogate)', () => {
  const zs = [Float32Array.from([0.1, 0.2, 0.3]), Float32Array.from([-1, -2, -3])];
  const logits = Float32Array.from({ length: 80 }, (_, k) => k);
  const ages = Float32Array.from([31, 62]);
  const added = Float32Array.from([1.5, -2, 4, -0.5]); // [face][probe]: South_Asian, Black

  it('models the added attributes\' probes too, each in its own named column after the age', () => {
    const { outputs, rows } = surrogateRows(zs, { logits, ages, added }, ['South_Asian', 'Black']);
    expect(outputs).toEqual([...ATTRIBUTES, 'Age', 'South_Asian', 'Black']);
    const width = 3 + outputs.length;
    expect(rows.length).toBe(2 * width);
    const row = (i: number) => Array.from(rows.subarray(i * width, (i + 1) * width));
    expect(row(1).slice(0, 3)).toEqual([-1, -2, -3]);
    expect(row(1)[3 + ATTRIBUTES.indexOf('Male')]).toBe(40 + ATTRIBUTES.indexOf('Male'));
    expect(row(1)[3 + outputs.indexOf('Age')]).toBe(62);
    expect(row(0)[3 + outputs.indexOf('South_Asian')]).toBe(1.5);
    expect(row(0)[3 + outputs.indexOf('Black')]).toBe(-2);
    expect(row(1)[3 + outputs.indexOf('South_Asian')]).toBe(4);
    expect(row(1)[3 + outputs.indexOf('Black')]).toBe(-0.5);
  });

  it('without an age head the probes follow the 40 logits; without probes the 40 (and age) alone', () => {
    expect(surrogateRows(zs, { logits, added }, ['South_Asian', 'Black']).outputs).toEqual([...ATTRIBUTES, 'South_Asian', 'Black']);
    const plain = surrogateRows(zs, { logits, ages }, []);
    expect(plain.outputs).toEqual([...ATTRIBUTES, 'Age']);
    expect(plain.rows.length).toBe(2 * (3 + 41));
  });

  it('refuses probe logits that do not fit the faces and probes named', () => {
    expect(() => surrogateRows(zs, { logits, added }, ['South_Asian'])).toThrow(/4 probe logits for 2 faces and 1 probes/);
  });
});
