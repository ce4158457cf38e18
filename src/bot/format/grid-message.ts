import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, escapeMarkdown } from 'discord.js';
import type { GridReply } from '../../conversation/types.js';
import { faceButtonId, fitsCustomId } from '../custom-ids.js';
import { NO_PINGS, unknownAndNotes, type FaceMessagePayload } from './face-message.js';
import { CONTENT_LIMIT, clamp } from './text.js';

/** Caption, the four seeds in grid order, how to choose, words not understood and notes. */
export function gridCaption(reply: GridReply): string {
  const caption = reply.caption.trim() || 'random faces';
  const seeds = reply.faces.map((f, i) => `${i + 1}: \`${f.seed}\``).join(' · ');
  const lines = [
    `**${escapeMarkdown(clamp(caption, 600))}**`,
    `four faces, numbered 1 2 / 3 4 — seeds ${seeds}`,
    'Pick one to keep it (it becomes your face), or Vary one for four faces close to it.',
  ];
  return clamp([...lines, ...unknownAndNotes(reply)].join('\n'), CONTENT_LIMIT);
}

/** Two rows: Pick 1–4 and Vary 1–4, each button carrying its face's id (so old grids keep working). */
export function gridButtons(reply: GridReply): ActionRowBuilder<ButtonBuilder>[] {
  if (!reply.faces.every((f) => fitsCustomId(f.id))) return [];
  const row = (action: 'pick' | 'vary', label: string, style: ButtonStyle) =>
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      reply.faces.map((f, i) =>
        new ButtonBuilder().setCustomId(faceButtonId(action, f.id)).setLabel(`${label} ${i + 1}`).setStyle(style),
      ),
    );
  return [row('pick', 'Pick', ButtonStyle.Primary), row('vary', 'Vary', ButtonStyle.Secondary)];
}

/** The grid message: one 2×2 PNG (labelled AI-generated inside and in its alt text), caption, buttons. */
export function gridMessage(reply: GridReply): FaceMessagePayload {
  const file = new AttachmentBuilder(reply.png, {
    name: `faces-${reply.faces[0]?.seed ?? 0}-grid.png`,
    description: clamp(reply.altText, 1024),
  });
  return { content: gridCaption(reply), files: [file], components: gridButtons(reply), allowedMentions: NO_PINGS };
}
