/**
 * The one error type every module throws. `code` is stable and asserted by tests; `message`
 * is one line a user can act on and never holds secret bytes; `cause` keeps the original.
 */
export class DctError extends Error {
  override readonly name = 'DctError';
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

export function isDctError(e: unknown, code?: string): e is DctError {
  return e instanceof DctError && (code === undefined || e.code === code);
}

/** A readable one-line text for anything thrown, `Error` or not. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return `non-error thrown: ${JSON.stringify(e)}`;
  } catch {
    return 'non-error thrown';
  }
}

/**
 * `s` on one line: each run of whitespace becomes one space (with `breaksOnly`, only line
 * breaks and the blanks around them), trimmed, and cut to `max` characters with "…".
 */
export function oneLine(s: string, opts: { max?: number; breaksOnly?: boolean } = {}): string {
  const flat = s.replace(opts.breaksOnly === true ? /\s*[\r\n]+\s*/g : /\s+/g, ' ').trim();
  const max = opts.max ?? Infinity;
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** One image that could not be signed, verified or revoked, and why. */
export interface ImageFailure {
  image: string;
  code: string;
  message: string;
}

/**
 * A failure's reason without its leading `<repository>: ` when the image it is reported for
 * names that repository already (a repository-wide reason on the line of one of its tags).
 */
export function reasonOf(f: Pick<ImageFailure, 'image' | 'message'>): string {
  const gun = /^(.+?): /.exec(f.message)?.[1];
  if (gun === undefined) return f.message;
  const named = f.image === gun || f.image.startsWith(`${gun}:`) || f.image.startsWith(`${gun}@`);
  return named ? f.message.slice(gun.length + 2) : f.message;
}

/**
 * Thrown by a flow when one or more images failed; the action prints one line per image.
 * Images of other repositories may have succeeded (`done` lists them) — never a repository
 * that was half-published.
 */
export class ImagesError extends DctError {
  readonly failures: ImageFailure[];
  readonly done: unknown[];

  constructor(failures: ImageFailure[], done: unknown[] = []) {
    super(
      failures.length === 1 ? failures[0].code : 'IMAGES_FAILED',
      failures.map((f) => `${f.image}: ${f.message}`).join('\n'),
    );
    this.failures = failures;
    this.done = done;
  }
}
