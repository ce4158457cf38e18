/**
 * The lines of a text stream, one at a time as they arrive. A line ends at "\n" ("\r\n" counts as one
 * end). A lone "\r" does not end a line: pasted text with a carriage return in it ("older\rsmiling") stays
 * one request, the "\r" read as a space. (readline would split it into two requests there.)
 */
export async function* readLines(input: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      yield withoutCarriageReturns(pending.slice(0, end));
      pending = pending.slice(end + 1);
    }
  }
  pending += decoder.decode();
  if (pending !== '') yield withoutCarriageReturns(pending);
}

function withoutCarriageReturns(line: string): string {
  return line.replace(/\r$/, '').replace(/\r/g, ' ');
}
