/**
 * Screenshots of report pages in headless Chromium (Debian's chromium package),
 * and the PNG checks of the screenshot test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PNG } from 'pngjs';

export const SCREENSHOT_SIZE = { width: 1200, height: 1600 };

/** The Chromium command and the version it prints, such as "Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)". */
export interface Chromium {
  command: string;
  version: string;
}

/** Returns Chromium when it runs here, else undefined. */
export function findChromium(): Chromium | undefined {
  const result = spawnSync('chromium', ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return result.status === 0 ? { command: 'chromium', version: result.stdout.trim() } : undefined;
}

/**
 * Renders `htmlPath` in headless Chromium with a fresh profile and no network
 * services, and writes a screenshot of the first window to `pngPath`.
 */
export function screenshot(chromium: Chromium, htmlPath: string, pngPath: string): void {
  const profile = mkdtempSync(join(tmpdir(), 'rankcode-chromium-'));
  try {
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      `--screenshot=${resolve(pngPath)}`,
      `--window-size=${SCREENSHOT_SIZE.width},${SCREENSHOT_SIZE.height}`,
      pathToFileURL(resolve(htmlPath)).href,
    ];
    const result = spawnSync(chromium.command, args, { encoding: 'utf8', timeout: 60_000 });
    if (result.status !== 0 || !existsSync(pngPath)) {
      throw new Error(`chromium failed with status ${result.status}: ${result.stderr.slice(-2000)}`);
    }
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export interface Image {
  width: number;
  height: number;
  /** RGBA bytes, row-major. */
  data: Buffer;
}

export function readPng(path: string): Image {
  const png = PNG.sync.read(readFileSync(path));
  return { width: png.width, height: png.height, data: png.data };
}

/** Counts the pixels of each colour inside a rectangle; keys are "#rrggbb". */
export function colourCounts(image: Image, area = { left: 0, top: 0, width: image.width, height: image.height }): Map<string, number> {
  const counts = new Map<string, number>();
  for (let y = area.top; y < area.top + area.height; y++) {
    for (let x = area.left; x < area.left + area.width; x++) {
      const offset = (y * image.width + x) * 4;
      const key = `#${[0, 1, 2].map((c) => image.data[offset + c].toString(16).padStart(2, '0')).join('')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * Compares two images of one size block by block: the mean of each colour
 * channel over a block x block square. Returns the share of blocks whose means
 * differ by more than `tolerance` (0 to 255) in some channel.
 */
export function differingBlockShare(a: Image, b: Image, block: number, tolerance: number): number {
  let blocks = 0;
  let differing = 0;
  for (let top = 0; top + block <= a.height; top += block) {
    for (let left = 0; left + block <= a.width; left += block) {
      blocks++;
      const sums = [0, 0, 0];
      for (let y = top; y < top + block; y++) {
        for (let x = left; x < left + block; x++) {
          const offset = (y * a.width + x) * 4;
          for (let c = 0; c < 3; c++) sums[c] += a.data[offset + c] - b.data[offset + c];
        }
      }
      if (sums.some((sum) => Math.abs(sum) / (block * block) > tolerance)) differing++;
    }
  }
  return blocks === 0 ? 0 : differing / blocks;
}
