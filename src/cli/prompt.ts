/**
 * Asking on the terminal, as docker did: passphrases without echo (read in raw mode), yes/no
 * questions. Only when stdin is a terminal; otherwise the caller says which variable to set.
 */
import { DctError } from '../errors.js';

export interface Terminal {
  /** Prints `question` on stderr and reads one line; `secret` hides what is typed. */
  ask(question: string, secret: boolean): Promise<string>;
}

type TtyIn = NodeJS.ReadStream & { setRawMode?: (raw: boolean) => unknown };

/** The process's terminal, or undefined when stdin or stderr is not one. */
export function processTerminal(): Terminal | undefined {
  const input = process.stdin as TtyIn;
  if (!input.isTTY || !process.stderr.isTTY || typeof input.setRawMode !== 'function') {
    return undefined;
  }
  return {
    ask: (question, secret) => readLine(input, question, secret),
  };
}

function readLine(input: TtyIn, question: string, secret: boolean): Promise<string> {
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    const chars: string[] = [];
    input.setRawMode?.(true);
    input.resume();
    const done = (err?: Error): void => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(chars.join(''));
      chars.length = 0;
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') {
          return done(new DctError('CLI_INTERRUPTED', 'interrupted'));
        }
        if (ch === '\u007f' || ch === '\b') {
          if (chars.pop() !== undefined && !secret) process.stderr.write('\b \b');
          continue;
        }
        chars.push(ch);
        if (!secret) process.stderr.write(ch);
      }
    };
    input.on('data', onData);
  });
}
