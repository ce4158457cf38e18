import { tooLargeText } from '../photo/decode.js';
import { DEFAULT_PHOTO_LIMITS } from '../photo/limits.js';
import { log } from '../log.js';
import { errFields } from './log-error.js';

/** What the bot knows of an attachment before downloading it (discord.js's Attachment has these). */
export interface AttachmentInfo {
  url: string;
  size: number;
  name: string;
  contentType?: string | null;
}

/** Fetches a URL's bytes (global fetch by default; tests pass their own). */
export type FetchBytes = (url: string, signal: AbortSignal) => Promise<Buffer>;

export const fetchBytes: FetchBytes = async (url, signal) => {
  const res = await fetch(url, { signal });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
};

/** The first attachment that says it is an image (or has an image's name), if any. */
export function imageAttachment<T extends AttachmentInfo>(attachments: Iterable<T>): T | undefined {
  for (const a of attachments) if (a.contentType?.startsWith('image/') || /\.(png|jpe?g|webp)$/i.test(a.name)) return a;
  return undefined;
}

/**
 * An attachment's bytes for /face photo, or what to say instead: a file over the limit is refused by the size
 * Discord reports, before it is downloaded; a failed download is said, not swallowed. The bytes themselves
 * decide whether it is an image (the engine checks them), never the name or the content type.
 */
export async function attachmentBytes(
  attachment: AttachmentInfo, maxBytes = DEFAULT_PHOTO_LIMITS.maxBytes, fetcher: FetchBytes = fetchBytes,
): Promise<Buffer | { refusal: string }> {
  if (attachment.size > maxBytes) return { refusal: tooLargeText(attachment.size, maxBytes) };
  try {
    const bytes = await fetcher(attachment.url, AbortSignal.timeout(20_000));
    if (bytes.length > maxBytes) return { refusal: tooLargeText(bytes.length, maxBytes) };
    return bytes;
  } catch (err) {
    // for the operator: why (HTTP status, timeout, reset), never the CDN URL (errFields scrubs URLs and secrets)
    log.warn({ err: errFields(err), size: attachment.size }, 'a photo attachment could not be downloaded');
    return { refusal: 'I could not download that attachment from Discord: try sending it again.' };
  }
}
