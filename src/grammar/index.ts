/** The description grammar: free English -> weights on the 40 CelebA attributes. */
export { parseDescription, MAX_CHARS, MAX_TOKENS } from './parse.js';
export { captionFor, lockTexts } from './caption.js';
export { addedAxisGroup, axisGroups, type AxisGroup } from './axes.js';
export { emptyParse, type ParseResult } from './types.js';
export type { EditMode, Weights } from '../face/record.js';
export { untrainedReplies } from './untrained.js';
