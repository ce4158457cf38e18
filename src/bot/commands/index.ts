import { SlashCommandBuilder, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { analogy } from './analogy.js';
import { axes } from './axes.js';
import { describe } from './describe.js';
import { explain } from './explain.js';
import { forget } from './forget.js';
import { mix } from './mix.js';
import { photo } from './photo.js';
import { morph } from './morph.js';
import { refine } from './refine.js';
import { reset } from './reset.js';
import type { FaceSubcommand } from './types.js';
import { undo } from './undo.js';

export type { FaceSubcommand } from './types.js';

export const FACE_COMMAND = 'face';

/** Every `/face` subcommand, in the order Discord shows them. */
export const faceSubcommands: readonly FaceSubcommand[] = [describe, refine, photo, axes, undo, reset, explain, forget, morph, mix, analogy];

export function findSubcommand(name: string | null): FaceSubcommand | undefined {
  return faceSubcommands.find((s) => s.name === name);
}

/** The `/face` command as registered with Discord (npm run deploy-commands). */
export function faceCommandJson(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const builder = new SlashCommandBuilder().setName(FACE_COMMAND).setDescription('Draw a face from what you tell it');
  for (const sub of faceSubcommands) {
    builder.addSubcommand((b) => {
      const named = b.setName(sub.name).setDescription(sub.description);
      return sub.options ? sub.options(named) : named;
    });
  }
  return builder.toJSON();
}
