import type { Logger } from 'pino';
import type { ConversationEngine } from '../conversation/types.js';
import type { RateLimiter } from './rate-limit.js';
import type { FetchBytes } from './photo-upload.js';

/**
 * Everything a handler needs; handlers get it as an argument so tests can pass fakes. The engine is the
 * one door to faces, message links and the render queue: handlers never touch the store.
 */
export interface BotDeps {
  engine: ConversationEngine;
  limiter: RateLimiter;
  log: Logger;
  /** Whether the bot asked for the Message Content intent (MESSAGE_CONTENT=on; default off). */
  messageContent?: boolean;
  /** Minimum time between two "rendering… 3rd in line" edits of one reply (default 1500 ms). */
  progressIntervalMs?: number;
  /** Whether /face describe answers with a grid of four to pick from (GRID_DEFAULT=on; default off: one face). */
  gridDefault?: boolean;
  /** The largest photo /face photo takes (PHOTO_MAX_MB; default 8 MB): larger attachments are refused undownloaded. */
  photoMaxBytes?: number;
  /** How attachments are downloaded (default global fetch; tests pass their own). */
  fetchBytes?: FetchBytes;
}

/** What a log line about one user action carries. */
export interface ActionContext {
  userId: string;
  command: string;
  faceId?: string;
  guildId?: string | null;
  channelId?: string | null;
}
