import { chunk, chunksOf } from './png-chunks.js';

/**
 * Every face says what it is, inside the file: PNG text chunks (iTXt, UTF-8) and an XMP packet with IPTC's
 * digital source type for media made by a trained model. Discord may strip file metadata, so the bot's
 * message says it too (the attachment's description); this is what travels with a saved or shared file.
 */

/** IPTC NewsCodes: "Digital media created by an algorithm using a model derived from sampled content." */
export const DIGITAL_SOURCE_TYPE = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
/**
 * IPTC NewsCodes: "Digital media created by a trained algorithm using a combination of captured and synthetic
 * elements": a face redrawn by G from an uploaded photo (src/photo/), and every face made from one.
 */
export const PHOTO_DIGITAL_SOURCE_TYPE = 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia';

export interface FaceLabel {
  /** "tellaface 0.1.0". */
  software: string;
  seed: number;
  truncation: number;
  /** The words of each edit, as typed, in order. */
  edits: string[];
  /** What the edits did, in short ("older ▲, smiling"); may be empty. */
  caption: string;
  /** Which models drew it ("<generator>/<axes>" fingerprints). */
  model: string;
  /** Made from an uploaded photo: labelled as AI-edited (compositeWithTrainedAlgorithmicMedia), not as a person who does not exist. */
  fromPhoto?: boolean;
}

/** The IPTC digital source type of a label. */
export function digitalSourceType(label: Pick<FaceLabel, 'fromPhoto'>): string {
  return label.fromPhoto ? PHOTO_DIGITAL_SOURCE_TYPE : DIGITAL_SOURCE_TYPE;
}

/** One line for people: what the picture is, and what was asked for. */
export function labelDescription(label: Pick<FaceLabel, 'caption' | 'fromPhoto'>): string {
  const asked = label.caption.trim();
  if (label.fromPhoto) return `AI-edited face: redrawn by tellaface's models from an uploaded photo${asked ? `: ${asked}` : ''}`;
  return `AI-generated face of a person who does not exist (tellaface)${asked ? `: ${asked}` : ''}`;
}

function xmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** The XMP packet: IPTC digital source type, creator tool, description, and the face's recipe. */
export function xmpPacket(label: FaceLabel): string {
  const recipe = JSON.stringify({ seed: label.seed, truncation: label.truncation, edits: label.edits, model: label.model });
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '<rdf:Description rdf:about=""',
    ' xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"',
    ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
    ' xmlns:dc="http://purl.org/dc/elements/1.1/"',
    ' xmlns:tellaface="https://github.com/tellaface/tellaface/ns/1.0/"',
    ` Iptc4xmpExt:DigitalSourceType="${digitalSourceType(label)}"`,
    ` xmp:CreatorTool="${xmlEscape(label.software)}"`,
    ` tellaface:recipe="${xmlEscape(recipe)}">`,
    `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${xmlEscape(labelDescription(label))}</rdf:li></rdf:Alt></dc:description>`,
    '</rdf:Description>',
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="r"?>',
  ].join('\n');
}

/** An uncompressed iTXt chunk: keyword, no language tag, UTF-8 text. */
function itxt(keyword: string, text: string): Buffer {
  const body = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  return chunk('iTXt', body);
}

/** The text entries written into every face (PNG's registered keywords, plus XMP). */
export function labelEntries(label: FaceLabel): Array<[string, string]> {
  return [
    ['Software', label.software],
    ['Description', labelDescription(label)],
    ['Source', `${label.fromPhoto ? 'redrawn from an uploaded photo' : 'generated'} by tellaface models ${label.model}`],
    ['Comment', JSON.stringify({ digitalSourceType: digitalSourceType(label), seed: label.seed, truncation: label.truncation, edits: label.edits, model: label.model })],
    ['XML:com.adobe.xmp', xmpPacket(label)],
  ];
}

/**
 * The PNG with the label's chunks inserted after IHDR (before the image data, where XMP readers look).
 * The pixels are untouched: only chunks are added, nothing is re-encoded.
 */
export function labelPng(png: Buffer, label: FaceLabel): Buffer {
  const first = chunksOf(png).next();
  if (first.done || first.value.type !== 'IHDR') throw new Error('not a PNG file: no IHDR first');
  const text = labelEntries(label).map(([k, v]) => itxt(k, v));
  return Buffer.concat([png.subarray(0, first.value.end), ...text, png.subarray(first.value.end)]);
}

/** The text chunks of a PNG (tEXt and uncompressed iTXt), by keyword: how a reader sees the label. */
export function readPngText(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { type, body } of chunksOf(png)) {
    if (type === 'tEXt') {
      const nul = body.indexOf(0);
      out[body.toString('latin1', 0, nul)] = body.toString('latin1', nul + 1);
    } else if (type === 'iTXt') {
      const nul = body.indexOf(0);
      if (body[nul + 1] !== 0) continue; // compressed: not written here
      const lang = body.indexOf(0, nul + 3);
      const translated = body.indexOf(0, lang + 1);
      out[body.toString('latin1', 0, nul)] = body.toString('utf8', translated + 1);
    }
  }
  return out;
}
