import { describe, expect, it } from 'vitest';
import { createProgress, formatBytes } from '../../launcher/images/progress';

function sink(isTTY: boolean) {
  const out = { isTTY, text: '', write: (s: string) => ((out.text += s), true) };
  return out;
}

describe('pull progress', () => {
  it('redraws one line on a terminal: layers, bytes, rate', () => {
    let now = 0;
    const out = sink(true);
    const progress = createProgress(out as never, 'img', () => now);
    progress.layerStarted('layer 1/2', 2048);
    now = 2000;
    progress.downloaded(4 * 1024 * 1024);
    progress.layerStarted('layer 2/2', 10);
    progress.done('img sha256:x');
    expect(out.text).toContain('\r\x1b[Kimg: 2 layers, 4.0 MiB, 2.0 MiB/s');
    expect(out.text.endsWith('img sha256:x\n')).toBe(true);
    expect(out.text).not.toContain('pulling');
  });

  it('writes a plain line per layer otherwise, without escapes', () => {
    const out = sink(false);
    const progress = createProgress(out as never, 'img', () => 0);
    progress.layerStarted('layer 1/1 (abc)', 1536);
    progress.downloaded(100);
    progress.done('done');
    expect(out.text).toBe('pulling img: layer 1/1 (abc), 1.5 KiB\ndone\n');
  });

  it('formats sizes', () => {
    expect([formatBytes(0), formatBytes(1023), formatBytes(1024), formatBytes(5 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.0 KiB', '5.0 GiB']);
  });
});
