/**
 * llama.cpp's log lines for one load, captured through wllama's logger option. wllama (3.8, 3.13)
 * reports a failed load by returning n_ctx = 0 (or n_vocab = 0), not by throwing, and llama.cpp's reason
 * ("unknown model architecture: 'gpt5'", "missing tensor …", "failed to allocate … buffer") goes only
 * to the log: this keeps the lines that say why, so the error can show them.
 */

/** What wllama calls; its native lines arrive as one string each (ERROR level as `error`). */
export interface WllamaLoggerLike {
  debug: (...a: unknown[]) => void;
  log: (...a: unknown[]) => void;
  warn: (...a: unknown[]) => void;
  error: (...a: unknown[]) => void;
}

type Level = 'debug' | 'log' | 'warn' | 'error';

/** Lines that carry a reason, whatever level llama.cpp gave them. */
const REASON =
  /\b(error|failed|failure|unknown|missing|cannot|can't|unable|invalid|not enough|out of memory|unsupported|too large|exceeds)\b/i;

/** Keeps the last lines, so a long load log never grows without bound. */
const MAX_LINES = 400;
/** How much of the reason reaches the error message. */
const MAX_REASON_LINES = 4;
const MAX_LINE_CHARS = 300;

function show(a: unknown): string {
  if (typeof a === 'string') return a;
  if (a instanceof Error) return a.message;
  try {
    return JSON.stringify(a) ?? String(a);
  } catch {
    return String(a); // a cyclic object
  }
}

const text = (args: unknown[]): string => args.map(show).join(' ').trim();

export class LoadLog {
  readonly lines: { level: Level; text: string }[] = [];

  constructor(private readonly forward?: Partial<WllamaLoggerLike>) {}

  /** The logger to hand to wllama: records every line, forwards warnings and errors to the console. */
  readonly logger: WllamaLoggerLike = {
    debug: (...a) => this.add('debug', a),
    log: (...a) => this.add('log', a),
    warn: (...a) => {
      this.add('warn', a);
      this.forward?.warn?.(...a);
    },
    error: (...a) => {
      this.add('error', a);
      this.forward?.error?.(...a);
    },
  };

  private add(level: Level, args: unknown[]): void {
    const t = text(args);
    if (!t) return;
    this.lines.push({ level, text: t });
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  /**
   * llama.cpp's own words for why the load failed: its error lines first (as it printed them, minus
   * the function-name prefix), then other lines that name a failure; duplicates dropped.
   */
  reason(): string[] {
    const errors = this.lines.filter((l) => l.level === 'error').map((l) => l.text);
    const others = this.lines.filter((l) => l.level !== 'error' && REASON.test(l.text)).map((l) => l.text);
    const seen = new Set<string>();
    const out: string[] = [];
    for (const raw of [...errors, ...others]) {
      const line = cleanLine(raw);
      if (!line || seen.has(line)) continue;
      seen.add(line);
      out.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
      if (out.length === MAX_REASON_LINES) break;
    }
    return out;
  }
}

/** Prefixes llama.cpp puts before the reason: a log tag ("srv", "cmn"), function names, "error loading model". */
const PREFIX = /^(?:(?:[a-z]{3} )?[a-z_][a-z0-9_]*_[a-z0-9_]*: |error loading model: )/i;

/** "llama_model_load: error loading model: check_tensor_dims: tensor 'x' not found" → "tensor 'x' not found". */
export function cleanLine(line: string): string {
  let s = line.replace(/\s+/g, ' ').trim();
  for (let m = PREFIX.exec(s); m; m = PREFIX.exec(s)) s = s.slice(m[0].length);
  return s.trim();
}

/** Generic lines that only repeat that the load failed: left out when a specific reason exists. */
const GENERIC = /^failed to (load|initialize) (the )?model\b|^failed to load model,? '/i;

/** The load-failed message: what happened, and llama.cpp's reason when it gave one. */
export function loadFailedMessage(what: string, reason: string[]): string {
  const specific = reason.filter((l) => !GENERIC.test(l));
  const shown = specific.length ? specific : reason;
  if (shown.length === 0) return `llama.cpp could not load this model ${what}, and gave no reason in its log.`;
  return `llama.cpp could not load this model: ${shown.join('; ')}.`;
}

/**
 * Whether a load failure is the file's own (it will never load here) rather than the settings' (a
 * context or a KV cache too big for memory, which a smaller context fixes).
 */
export const isFileFault = (message: string): boolean =>
  !/alloc|out of memory|not enough memory|kv cache|context|n_ctx|memory/i.test(message.replace(/^llama\.cpp could not load this model/, ''));
