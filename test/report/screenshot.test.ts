/**
 * Renders the fixture report in headless Chromium and checks the screenshot:
 * its size, that it is not blank, and that both halves of the page contain
 * drawn series.
 *
 * The comparison with the committed reference runs only with the Chromium
 * version that took it (reference.json). With one version and the DejaVu fonts,
 * repeated screenshots were byte-identical (Chromium 156, Debian 12). Across
 * versions, glyph hinting and line heights change, and a page shifted by one
 * pixel already differs in 8 % of its 8 x 8 blocks, while one missing series
 * differs in 0.25 %. No tolerance separates those two cases, so the test
 * compares strictly on the reference's version and skips the comparison on
 * another one. After an intended change of the page, or on a new Chromium,
 * regenerate the reference with dist/test/report/generate-fixtures.js
 * --screenshot-only.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { colourCounts, differingBlockShare, findChromium, readPng, screenshot, SCREENSHOT_SIZE } from './chromium.js';
import { FIXTURES, renderFixtureReport } from './fixture-report.js';

const BLOCK = 8;
/** Largest difference of a block's mean colour channel, out of 255, that still counts as equal. */
const BLOCK_TOLERANCE = 4;
/** Largest share of blocks that may differ from the reference: below the 0.25 % of one missing series. */
const MAX_DIFFERING_SHARE = 0.001;

/** Series colours of the first three evaluations and runs (the palette of report/svg.ts). */
const SERIES_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c'];

test('report screenshot in chromium', (context) => {
  const chromium = findChromium();
  if (chromium === undefined) {
    assert.ok(!process.env.CI, 'chromium is not installed; .ci/run installs the Debian package chromium');
    context.skip('chromium is not installed (apt-get install chromium); CI installs it');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rankcode-screenshot-'));
  let keep = false;
  try {
    const page = join(dir, 'report.html');
    const shot = join(dir, 'report.png');
    writeFileSync(page, renderFixtureReport());
    screenshot(chromium, page, shot);
    const image = readPng(shot);
    keep = true;
    assert.equal(image.width, SCREENSHOT_SIZE.width);
    assert.equal(image.height, SCREENSHOT_SIZE.height);

    const colours = colourCounts(image);
    assert.ok(colours.size >= 200, `only ${colours.size} distinct colours in ${shot}: the page looks blank`);
    // Each half of the page contains charts, so each must contain drawn series.
    const half = { top: 0, width: image.width / 2, height: image.height };
    for (const [side, left] of [
      ['left', 0],
      ['right', image.width / 2],
    ] as const) {
      const counts = colourCounts(image, { ...half, left });
      for (const colour of SERIES_COLOURS.slice(0, 2)) {
        const pixels = counts.get(colour) ?? 0;
        assert.ok(pixels >= 150, `${pixels} pixels of ${colour} in the ${side} half of ${shot}: a plot area is empty`);
      }
    }
    assert.ok((colours.get(SERIES_COLOURS[2]) ?? 0) >= 100, `too few pixels of the third series colour in ${shot}`);

    const referencePath = join(FIXTURES, 'reference.png');
    assert.ok(existsSync(referencePath), `${referencePath} is missing; run dist/test/report/generate-fixtures.js --screenshot-only`);
    const referenceVersion = (JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as { chromium: string }).chromium;
    if (referenceVersion !== chromium.version) {
      context.diagnostic(`the reference was taken with ${referenceVersion}, this is ${chromium.version}: comparison skipped; regenerate the reference`);
      keep = false;
      return;
    }
    const share = differingBlockShare(image, readPng(referencePath), BLOCK, BLOCK_TOLERANCE);
    assert.ok(share <= MAX_DIFFERING_SHARE, `${(share * 100).toFixed(2)} % of the ${BLOCK} x ${BLOCK} blocks of ${shot} differ from ${referencePath}`);
    keep = false;
  } finally {
    // A failing screenshot stays on disk for inspection.
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
});
