// A small structured logger. Lines go to stderr as `hush: level component: message k=v`, or as
// JSON with HUSH_LOG_FORMAT=json. Every line passes through the redactor, which replaces any
// secret value, token, secret_id or JWT the agent has seen so far: none can reach a log line,
// even inside an error message from a library.

export type Level = 'debug' | 'info' | 'warn' | 'error';
const levelRank: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(bindings: Record<string, unknown>): Logger;
}

// Vault service/batch/recovery tokens, legacy s./b. tokens, and JWTs: scrubbed by shape even
// before the redactor has learned them (a token in an error a library built, say).
const CREDENTIAL_SHAPES = [/\bhv[sbr]\.[A-Za-z0-9_.-]{8,}/g, /\b[sb]\.[A-Za-z0-9]{20,}/g, /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g];

/**
 * The agent's one redactor, shared by one process: it remembers every secret value, token,
 * secret_id and JWT the agent has seen, and scrubs them (and anything token-shaped) from any
 * text. Every log line and every error message meant for a person passes through it.
 */
export class Redactor {
  private readonly values = new Set<string>();

  add(value: string | Uint8Array): void {
    const text = typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8');
    // Very short values would scrub ordinary words out of every line; they cannot be hidden
    // this way and are not worth the noise.
    if (text.length >= 4) this.values.add(text);
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.values) {
      if (out.includes(value)) out = out.split(value).join('[redacted]');
    }
    for (const shape of CREDENTIAL_SHAPES) out = out.replace(shape, '[redacted]');
    return out;
  }
}

export interface LoggerOptions {
  level?: Level;
  format?: 'text' | 'json';
  write?: (line: string) => void;
  redactor?: Redactor;
}

export function createLogger(options: LoggerOptions = {}, bindings: Record<string, unknown> = {}): Logger {
  const envLevel = process.env.HUSH_LOG_LEVEL as Level | undefined;
  const level = options.level ?? (envLevel && envLevel in levelRank ? envLevel : 'info');
  const format = options.format ?? (process.env.HUSH_LOG_FORMAT === 'json' ? 'json' : 'text');
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const redactor = options.redactor ?? new Redactor();

  const emit = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (levelRank[lvl] < levelRank[level]) return;
    const all = { ...bindings, ...fields };
    let line: string;
    if (format === 'json') {
      line = JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...all });
    } else {
      const { component, ...rest } = all;
      const kv = Object.entries(rest)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      line = `hush: ${lvl}${component ? ` ${String(component)}` : ''}: ${msg}${kv ? ' ' + kv : ''}`;
    }
    write(redactor.redact(line));
  };

  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (b) => createLogger({ level, format, write, redactor }, { ...bindings, ...b }),
  };
}
