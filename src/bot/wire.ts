import { Events, type Client, type Interaction } from 'discord.js';
import type { BotDeps } from './deps.js';
import { answerPrivately } from './interaction-answer.js';
import { handleInteraction } from './handlers/interaction.js';
import { handleMessageReply } from './handlers/message-reply.js';
import { handleReactionAdd } from './handlers/reaction.js';
import { errFields } from './log-error.js';

/** The handlers attached to a gateway client, with what shutdown and tests need. */
export interface BotRuntime {
  /** Resolves when every handler started so far has finished. */
  idle(): Promise<void>;
  /** Handlers still running. */
  readonly inFlight: number;
  /** Stop taking new work: later interactions are told the bot is restarting; messages are ignored. */
  close(): void;
}

/** Connects the gateway client's events to the handlers. Handler errors are logged, never thrown. */
export function attachHandlers(client: Client, deps: BotDeps): BotRuntime {
  const running = new Set<Promise<void>>();
  let closed = false;
  const track = (what: string, work: () => Promise<void>) => {
    const p = work()
      .catch((err: unknown) => deps.log.error({ err: errFields(err), event: what }, 'unhandled error in a handler'))
      .finally(() => running.delete(p));
    running.add(p);
  };
  const botId = () => client.user?.id ?? '';

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    if (!closed) return track('interaction', () => handleInteraction(interaction, deps));
    if (!interaction.isRepliable()) return;
    const ctx = { userId: interaction.user.id, command: 'shutdown' };
    track('interaction', () =>
      answerPrivately(interaction, 'the bot is restarting; try again in a moment', deps.log, ctx, false),
    );
  });
  client.on(Events.MessageCreate, (message) => {
    if (!closed) track('message', () => handleMessageReply(message, deps, botId()));
  });
  client.on(Events.MessageReactionAdd, (reaction, user) => {
    if (!closed) track('reaction', () => handleReactionAdd(reaction, user, deps, botId()));
  });

  return {
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    get inFlight() {
      return running.size;
    },
    close() {
      closed = true;
    },
  };
}
