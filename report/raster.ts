/**
 * The spike raster of one example sequence. The upper panel shows its input
 * frames (one column per step, one row per input value) with the spike step
 * marked. The lower panel shows the top class probability after each step,
 * labelled with the top class, against the threshold theta.
 */
import type { ExampleTrace } from '../trainer/eval-types.js';
import { finite } from './charts.js';
import { escapeXml, FONT_FAMILY, linearScale, px } from './svg.js';

export const RASTER_SIZE = { width: 372, height: 336 };

const LEFT = 58;
const RIGHT = 12;
const RASTER_TOP = 54;
const RASTER_HEIGHT = 130;
const PROBABILITY_TOP = RASTER_TOP + RASTER_HEIGHT + 34;
const PROBABILITY_HEIGHT = 72;
const SPIKE_COLOR = '#ff7f0e';

export interface RasterOptions {
  /** Distinguishes the charts of one page, such as "raster-0-1". */
  id: string;
  labels: readonly string[];
  frames: number;
  threshold: number;
}

/** Returns the name of class `index`, or the index when the labels do not name it. */
function labelOf(labels: readonly string[], index: number): string {
  return typeof labels[index] === 'string' ? labels[index] : String(index);
}

export function rasterChart(trace: ExampleTrace, options: RasterOptions): string {
  const { width, height } = RASTER_SIZE;
  const frames = Math.max(1, Math.floor(finite(options.frames)) || 1);
  const frameSize = Math.max(1, Math.floor(finite(trace.frameSize)) || 1);
  const plotWidth = width - LEFT - RIGHT;
  const columnWidth = plotWidth / frames;
  const rowHeight = RASTER_HEIGHT / frameSize;
  const columnLeft = (step: number) => LEFT + (step - 1) * columnWidth;
  const spikeStep = finite(trace.spikeStep);
  const probabilities = Array.isArray(trace.topProbability) ? trace.topProbability.map(finite) : [];
  const classes = Array.isArray(trace.topClass) ? trace.topClass.map(finite) : [];
  const computed = probabilities.length;

  const title = trace.spiked
    ? `label ${labelOf(options.labels, trace.label)}, predicted ${labelOf(options.labels, trace.prediction)} at step ${spikeStep}`
    : `label ${labelOf(options.labels, trace.label)}, no spike: predicted ${labelOf(options.labels, trace.prediction)} at step ${spikeStep}`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="raster" data-chart="${escapeXml(options.id)}" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}" role="img" aria-label="${escapeXml(title)}">`,
    `<text class="chart-title" x="${LEFT}" y="18" font-size="13" font-weight="bold">${escapeXml(`example ${finite(trace.example)}`)}</text>`,
    `<text x="${LEFT}" y="34" font-size="12">${escapeXml(title)}</text>`,
    `<rect x="${LEFT}" y="${RASTER_TOP}" width="${px(plotWidth)}" height="${RASTER_HEIGHT}" fill="#ffffff" stroke="#bbbbbb"/>`,
  ];

  // Steps the runtime never computed (a compiled model stops at the spike) are shaded.
  if (computed < frames) {
    const left = columnLeft(computed + 1);
    const shadeWidth = LEFT + plotWidth - left;
    const label = shadeWidth >= 70 ? `<text x="${px(left + shadeWidth / 2)}" y="${PROBABILITY_TOP - 8}" font-size="10" text-anchor="middle" fill="#777777">not computed</text>` : '';
    parts.push(
      `<g class="not-computed"><rect x="${px(left)}" y="${RASTER_TOP}" width="${px(shadeWidth)}" height="${PROBABILITY_TOP + PROBABILITY_HEIGHT - RASTER_TOP}" fill="#eeeeee"/>${label}</g>`,
    );
  }
  if (Number.isFinite(spikeStep) && spikeStep >= 1 && spikeStep <= frames) {
    parts.push(
      `<g class="spike-marker"><rect x="${px(columnLeft(spikeStep))}" y="${RASTER_TOP}" width="${px(columnWidth)}" height="${PROBABILITY_TOP + PROBABILITY_HEIGHT - RASTER_TOP}" ` +
        `fill="${SPIKE_COLOR}" fill-opacity="0.18" stroke="${SPIKE_COLOR}" stroke-width="1.5"/>` +
        `<text x="${px(columnLeft(spikeStep) + columnWidth / 2)}" y="${RASTER_TOP - 4}" font-size="11" text-anchor="middle" fill="#b35900">${trace.spiked ? `t_sp = ${spikeStep}` : 'no spike'}</text></g>`,
    );
  }

  const inputs = Array.isArray(trace.inputs) ? trace.inputs : [];
  const largest = Math.max(1e-12, ...inputs.map((input) => Math.abs(finite(input?.[2])) || 0));
  const cells = inputs.map((input) => {
    const [step, index, value] = [finite(input?.[0]), finite(input?.[1]), finite(input?.[2])];
    if (!(step >= 1 && step <= frames && index >= 0 && index < frameSize && Number.isFinite(value))) return '';
    const opacity = Math.min(1, Math.abs(value) / largest);
    const fill = value >= 0 ? '#1a1a1a' : '#c0392b';
    return `<rect class="cell" x="${px(columnLeft(step) + 1)}" y="${px(RASTER_TOP + index * rowHeight)}" width="${px(Math.max(1, columnWidth - 2))}" height="${px(Math.max(1, rowHeight))}" fill="${fill}" fill-opacity="${px(opacity)}"/>`;
  });
  parts.push(`<g class="inputs">${cells.join('')}</g>`);
  parts.push(axisText(LEFT - 6, RASTER_TOP + 9, '0', 'end'), axisText(LEFT - 6, RASTER_TOP + RASTER_HEIGHT, String(frameSize - 1), 'end'));
  parts.push(verticalLabel(14, RASTER_TOP + RASTER_HEIGHT / 2, 'input index'));

  const y = linearScale([0, 1], [PROBABILITY_TOP + PROBABILITY_HEIGHT, PROBABILITY_TOP]);
  const theta = finite(options.threshold);
  parts.push(`<rect x="${LEFT}" y="${PROBABILITY_TOP}" width="${px(plotWidth)}" height="${PROBABILITY_HEIGHT}" fill="none" stroke="#bbbbbb"/>`);
  if (Number.isFinite(theta)) {
    parts.push(
      `<g class="guide"><line x1="${LEFT}" y1="${px(y(theta))}" x2="${px(LEFT + plotWidth)}" y2="${px(y(theta))}" stroke="#444444" stroke-dasharray="2 3"/>` +
        `<text x="${px(LEFT + plotWidth - 3)}" y="${px(y(theta) + 11)}" font-size="10" text-anchor="end" fill="#444444">${escapeXml(`theta ${theta}`)}</text></g>`,
    );
  }
  const points = probabilities.map((p, i) => ({ x: columnLeft(i + 1) + columnWidth / 2, y: y(Math.min(1, Math.max(0, p))), p, label: labelOf(options.labels, classes[i]) }));
  const path = points.map((point, i) => `${i === 0 ? 'M' : 'L'}${px(point.x)} ${px(point.y)}`).join(' ');
  const markers = points.map(
    (point, i) =>
      `<circle class="point" cx="${px(point.x)}" cy="${px(point.y)}" r="3" fill="#1f77b4"><title>${escapeXml(`step ${i + 1}: class ${point.label}, probability ${point.p.toFixed(4)}`)}</title></circle>` +
      (columnWidth >= 14 ? `<text x="${px(point.x)}" y="${px(point.y - 6)}" font-size="10" text-anchor="middle">${escapeXml(point.label)}</text>` : ''),
  );
  parts.push(`<g class="series" data-series="top probability">${points.length > 1 ? `<path class="line" d="${path}" fill="none" stroke="#1f77b4" stroke-width="2"/>` : ''}${markers.join('')}</g>`);
  parts.push(axisText(LEFT - 6, PROBABILITY_TOP + 9, '1', 'end'), axisText(LEFT - 6, PROBABILITY_TOP + PROBABILITY_HEIGHT, '0', 'end'));
  parts.push(verticalLabel(14, PROBABILITY_TOP + PROBABILITY_HEIGHT / 2, 'top prob.'));

  const tickEvery = Math.max(1, Math.ceil(frames / 10));
  for (let step = 1; step <= frames; step += step === 1 && tickEvery > 1 ? tickEvery - 1 : tickEvery) {
    parts.push(axisText(columnLeft(step) + columnWidth / 2, PROBABILITY_TOP + PROBABILITY_HEIGHT + 14, String(step), 'middle'));
  }
  parts.push(`<text class="axis-label" x="${px(LEFT + plotWidth / 2)}" y="${height - 4}" font-size="12" text-anchor="middle">step (frame)</text>`);
  parts.push('</svg>');
  return parts.join('');
}

function axisText(x: number, y: number, text: string, anchor: 'start' | 'middle' | 'end'): string {
  return `<text x="${px(x)}" y="${px(y)}" font-size="10" text-anchor="${anchor}">${escapeXml(text)}</text>`;
}

function verticalLabel(x: number, y: number, text: string): string {
  return `<text class="axis-label" x="${px(x)}" y="${px(y)}" font-size="11" text-anchor="middle" transform="rotate(-90 ${px(x)} ${px(y)})">${escapeXml(text)}</text>`;
}
