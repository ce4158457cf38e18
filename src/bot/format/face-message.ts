import {
  ActionRowBuilder,
  AttachmentBuilder,
  ButtonBuilder,
  ButtonStyle,
  escapeMarkdown,
  type MessageMentionOptions,
} from 'discord.js';
import type { EngineReply } from '../../conversation/types.js';
import { faceButtonId, fitsCustomId } from '../custom-ids.js';
import { CONTENT_LIMIT, clamp } from './text.js';

export type FaceReply = Extract<EngineReply, { kind: 'face' }>;

/** Bot messages never ping anyone because of user text (@everyone in a description stays text). */
export const NO_PINGS: MessageMentionOptions = { parse: [], repliedUser: false };

export interface FaceMessagePayload {
  content: string;
  files: AttachmentBuilder[];
  components: ActionRowBuilder<ButtonBuilder>[];
  allowedMentions: MessageMentionOptions;
}

/**
 * Caption, seed and face id (what /face mix, analogy and morph take), words not understood and notes,
 * within the 2000-character content limit.
 */
export function faceCaption(reply: FaceReply): string {
  const caption = reply.caption.trim() || 'a random face';
  const lines = [`**${escapeMarkdown(clamp(caption, 600))}**`, `seed \`${reply.face.seed}\` · face \`${faceIdText(reply.face.id)}\``];
  return clamp([...lines, ...unknownAndNotes(reply)].join('\n'), CONTENT_LIMIT);
}

/** A face id as shown in code formatting (store ids are URL-safe; a backtick could not be shown). */
function faceIdText(id: string): string {
  return clamp(id.replace(/`/g, "'"), 64);
}

/** The lines under a caption: the words not understood, then up to five notes (face and grid messages). */
export function unknownAndNotes(reply: { unknown: readonly string[]; notes: readonly string[] }): string[] {
  const lines: string[] = [];
  if (reply.unknown.length) {
    const words = reply.unknown.map((w) => `“${escapeMarkdown(clamp(w, 60))}”`).join(', ');
    lines.push(`not understood: ${clamp(words, 500)}`);
  }
  for (const note of reply.notes.slice(0, 5)) lines.push(`_${escapeMarkdown(clamp(note, 200))}_`);
  return lines;
}

export function faceButtons(faceId: string): ActionRowBuilder<ButtonBuilder>[] {
  if (!fitsCustomId(faceId)) return [];
  return [
    new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder()
        .setCustomId(faceButtonId('reroll', faceId))
        .setLabel('Reroll')
        .setEmoji('🎲')
        .setStyle(ButtonStyle.Secondary),
      new ButtonBuilder()
        .setCustomId(faceButtonId('undo', faceId))
        .setLabel('Undo')
        .setEmoji('↩️')
        .setStyle(ButtonStyle.Secondary),
    ),
  ];
}

/** The whole face message: PNG attachment, caption and the Reroll / Undo buttons. */
export function faceMessage(reply: FaceReply): FaceMessagePayload {
  const file = new AttachmentBuilder(reply.png, {
    name: `face-${reply.face.seed}.png`,
    // alt text: Discord may strip the file's own label, so the message says what the picture is
    description: clamp(reply.altText, 1024),
  });
  return {
    content: faceCaption(reply),
    files: [file],
    components: faceButtons(reply.face.id),
    allowedMentions: NO_PINGS,
  };
}
