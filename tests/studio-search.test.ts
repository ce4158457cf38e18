import { describe, expect, it } from 'vitest';
import type { Edit } from '../src/face/record.js';
import { searchStart } from '../src/latent/candidates.js';
import { withSliders } from '../src/conversation/studio.js';

/**
 * A face the seed search started keeps its pick (Edit.start on the first edit) through the studio's sliders: the
 * slider edit goes in front of the words' edit, and the pick must move with it, or the face would be redrawn
 * from the seed's own latent: another person.
 */
const described: Edit = {
  text: 'a man with glasses', weights: { Male: 1, Eyeglasses: 1 }, mode: { Male: 'target', Eyeglasses: 'target' },
  locks: [], start: { version: 1, set: 0, pick: 7 },
};

describe('the studio keeps the seed search\'s pick', () => {
  it('a slider moved on a searched face keeps the face\'s start, and so does moving it back to 0', () => {
    const moved = withSliders([described], { Smiling: 0.5 }, []);
    expect(moved).toHaveLength(2);
    expect(searchStart(moved)).toEqual({ version: 1, set: 0, pick: 7 });
    expect(moved.filter((e) => e.start)).toHaveLength(1); // one pick, on the first edit
    const back = withSliders(moved, {}, []);
    expect(back).toHaveLength(1);
    expect(searchStart(back)).toEqual({ version: 1, set: 0, pick: 7 });
  });

  it('a face without a pick stays without one', () => {
    const plain = { ...described };
    delete plain.start;
    expect(searchStart(withSliders([plain], { Smiling: 0.5 }, []))).toBeUndefined();
  });
});
