import { describe, expect, it } from 'vitest';
import { weakMark } from '../src/conversation/wording.js';

describe('/face axes marks', () => {
  it('says nothing for a reliable axis, even when one gender is weaker', () => {
    expect(weakMark({ controllable: true, successByGender: { women: 0.9, men: 0.5 } })).toBe('');
    expect(weakMark(undefined)).toBe('');
  });

  it("names the gender G draws it on when the calibration seeds split that way", () => {
    expect(weakMark({ controllable: false, successByGender: { women: 0.95, men: 0.1 } })).toBe(" (weak; works on women's faces)");
    expect(weakMark({ controllable: false, successByGender: { women: 0.4, men: 0.8 } })).toBe(" (weak; works on men's faces)");
  });

  it('is plain "weak" when neither gender reaches the line, both do, or the split is not known', () => {
    expect(weakMark({ controllable: false, successByGender: { women: 0.5, men: 0.6 } })).toBe(' (weak)');
    expect(weakMark({ controllable: false, successByGender: { women: 0.8, men: 0.8 } })).toBe(' (weak)');
    expect(weakMark({ controllable: false })).toBe(' (weak)');
  });
});
