import type { Logger } from 'pino';
import type { ConversationEngine } from '../conversation/types.js';
import type { FaceStore } from '../store/types.js';
import type { RateLimiter } from './rate-limit.js';

/** Everything a handler needs; handlers get it as an argument so tests can pass fakes. */
export interface BotDeps {
  engine: ConversationEngine;
  store: FaceStore;
  limiter: RateLimiter;
  log: Logger;
  /** Minimum time between two "rendering… 3rd in line" edits of one reply (default 1500 ms). */
  progressIntervalMs?: number;
}

/** What a log line about one user action carries. */
export interface ActionContext {
  userId: string;
  command: string;
  faceId?: string;
  guildId?: string | null;
  channelId?: string | null;
}
