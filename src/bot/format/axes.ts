import { EmbedBuilder } from 'discord.js';
import {
  EMBED_DESCRIPTION_LIMIT,
  EMBED_TOTAL_LIMIT,
  EMBEDS_PER_MESSAGE,
  splitLines,
} from './text.js';

const TITLE = 'Face controls';
const FOOTER = 'Use them in /face describe, or reply to a face with e.g. "make him younger".';

/**
 * The engine's axes help as embeds, split into as many messages as needed: each embed description stays
 * under 4096 characters and each message under 6000 characters and 10 embeds.
 */
export function axesMessages(help: string): EmbedBuilder[][] {
  const budget = EMBED_TOTAL_LIMIT - TITLE.length - FOOTER.length - 16;
  const chunks = splitLines(help.trim() || 'No controls are available right now.', EMBED_DESCRIPTION_LIMIT);
  const messages: EmbedBuilder[][] = [];
  let embeds: EmbedBuilder[] = [];
  let used = 0;
  for (const chunk of chunks) {
    if (embeds.length >= EMBEDS_PER_MESSAGE || used + chunk.length > budget) {
      messages.push(embeds);
      embeds = [];
      used = 0;
    }
    const embed = new EmbedBuilder().setDescription(chunk).setColor(0x5865f2);
    if (messages.length === 0 && embeds.length === 0) embed.setTitle(TITLE);
    embeds.push(embed);
    used += chunk.length;
  }
  if (embeds.length) messages.push(embeds);
  messages.at(-1)?.at(-1)?.setFooter({ text: FOOTER });
  return messages;
}
