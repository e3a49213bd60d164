// Durations and times the way Vault parses and prints them (Go's time package).

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|d))+$/;
const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/g;

/** Seconds from an int, a numeric string or a Go duration ("90s", "1h30m", "2d"); null when unparsable or negative. */
export function parseDuration(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : null;
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (!DURATION.test(text)) return null;
  let total = 0;
  for (const match of text.matchAll(PART)) total += Number(match[1]) * (UNIT_SECONDS[match[2] ?? 's'] ?? 1);
  return Math.floor(total);
}

/** Like parseDuration but throws a 400-ready message naming the field. */
export function durationField(body: Record<string, unknown>, field: string, fallback: number): number {
  if (!(field in body)) return fallback;
  const parsed = parseDuration(body[field]);
  if (parsed === null) throw new Error(`invalid duration for ${field}: ${String(body[field])}`);
  return parsed;
}

/** Go's Duration.String() for whole seconds: "1h0m0s", "23m10s", "45s", "0s". */
export function formatGoDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${m}m${rest}s`;
  if (m > 0) return `${m}m${rest}s`;
  return `${rest}s`;
}

/** RFC3339Nano as Go prints it: UTC, trailing zeros of the fraction trimmed. */
export function rfc3339(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-28T15:00:00.120Z
  return iso.replace(/\.(\d*?)0*Z$/, (_all, digits: string) => (digits.length > 0 ? `.${digits}Z` : 'Z'));
}

export const unixSeconds = (ms: number): number => Math.floor(ms / 1000);
