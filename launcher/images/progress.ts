// What a pull reports as it goes: on a terminal, one line redrawn (layers, bytes, rate);
// otherwise a plain line per layer. `now` is passed in so the arithmetic stays testable.

import type { Writable } from 'node:stream';

export interface Progress {
  layerStarted(label: string, size: number): void;
  downloaded(bytes: number): void;
  unpacked(bytes: number): void;
  done(summary: string): void;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

export function createProgress(out: Writable & { isTTY?: boolean }, name: string, now: () => number = Date.now): Progress {
  const started = now();
  let layers = 0;
  let bytes = 0;
  let lastDraw = 0;
  const line = () => {
    const seconds = Math.max((now() - started) / 1000, 0.001);
    return `${name}: ${layers} layer${layers === 1 ? '' : 's'}, ${formatBytes(bytes)}, ${formatBytes(bytes / seconds)}/s`;
  };
  const draw = (force: boolean) => {
    if (!out.isTTY || (!force && now() - lastDraw < 100)) return;
    lastDraw = now();
    out.write(`\r\x1b[K${line()}`);
  };
  return {
    layerStarted(label, size) {
      layers++;
      if (out.isTTY) draw(true);
      else out.write(`pulling ${name}: ${label}, ${formatBytes(size)}\n`);
    },
    downloaded(count) {
      bytes += count;
      draw(false);
    },
    unpacked() {
      draw(false);
    },
    done(summary) {
      if (out.isTTY) out.write(`\r\x1b[K${line()}\n`);
      out.write(`${summary}\n`);
    },
  };
}
