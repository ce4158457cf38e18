/**
 * Discord markup is not a description: mentions (<@123>, <@!123>, <@&123>, <#123>, @everyone, @here, @name),
 * timestamps (<t:1700000000:R>) and custom emoji (<:smile:123>, <a:wave:456>) are blanked before parsing, so
 * their numbers are not ages and their names are not features. Blanking keeps every other character where it was.
 */
const MARKUP = /<(?:@[!&]?|#)-?\d*>|<t:-?\d+(?::[a-zA-Z])?>|<a?:[\w~-]*:\d*>|(?<![\p{L}\p{N}])@[\p{L}\p{N}_.]+/gu;
const CUSTOM_EMOJI = /^<a?:/;

export interface Unmarked {
  /** The text with each piece of markup replaced by spaces of the same length. */
  text: string;
  /** The custom emoji found, as typed (a picture the parser cannot read). */
  customEmoji: string[];
}

export function blankDiscordMarkup(text: string): Unmarked {
  const customEmoji: string[] = [];
  const blanked = text.replace(MARKUP, (m) => {
    if (CUSTOM_EMOJI.test(m)) customEmoji.push(m);
    return ' '.repeat(m.length);
  });
  return { text: blanked, customEmoji };
}
