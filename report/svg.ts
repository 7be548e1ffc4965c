/**
 * A small SVG plotting module: line charts and grouped bar charts with axes,
 * ticks, grid lines, axis labels and a legend, rendered to markup as text with no
 * DOM. Every text that reaches the markup goes through escapeXml, and every
 * coordinate is a finite number, so values read from files cannot inject markup.
 *
 * The markup names its parts for tests and styling: each chart is
 * <svg class="chart" data-chart="ID">, each series <g class="series"
 * data-series="NAME">, each data point <circle class="point"> or <rect
 * class="bar">, and each legend entry <g class="legend-entry">.
 */

/** Categorical colours (the Tableau 10 palette), assigned to series in order. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export const FONT_FAMILY = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

/** Rough advance width of one character at 12 px, in pixels, for laying out legends. */
const CHAR_WIDTH = 6.8;
const LEGEND_ROW = 18;
const MARGIN = { left: 64, right: 20, top: 34, bottom: 46 };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Returns a coordinate with at most two decimals, as text. */
export function px(value: number): string {
  return String(Math.round(value * 100) / 100);
}

export interface Point {
  x: number;
  y: number;
  /** Tooltip text, shown by browsers on hover. */
  title?: string;
}

export interface LineSeries {
  name: string;
  color: string;
  /** stroke-dasharray, such as "6 4"; solid when undefined. */
  dash?: string;
  points: Point[];
  /** Indices of points drawn larger, such as the model's own threshold. */
  highlight?: number[];
}

export interface AxisSpec {
  label: string;
  /** Domain bounds; the data's range (with 0 for bars) when undefined. */
  min?: number;
  max?: number;
  /** Formats a tick value; two significant decimals at most by default. */
  format?: (value: number) => string;
  /** Use integer ticks only, such as steps and epochs. */
  integer?: boolean;
}

export interface ChartSpec {
  id: string;
  title: string;
  width: number;
  height: number;
  x: AxisSpec;
  y: AxisSpec;
}

export interface HorizontalGuide {
  y: number;
  label: string;
}

interface Frame {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Returns the linear map of a domain onto a pixel range. */
export function linearScale(domain: [number, number], range: [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** Returns about `count` round tick values (steps of 1, 2 or 5 times a power of ten) that cover [min, max]. */
export function niceTicks(min: number, max: number, count: number, integer = false): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? 10 * power;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let value = Math.ceil(min / step - 1e-9) * step; value <= max + step * 1e-9; value += step) {
    ticks.push(Number(value.toFixed(10)));
  }
  return ticks;
}

function defaultFormat(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

/** Share of the data's range added beyond a bound taken from the data, so no mark touches the frame. */
const DOMAIN_PADDING = 0.05;

/**
 * Returns the axis domain: the axis bounds where given, else the data's range
 * (with 0 for bars), widened by DOMAIN_PADDING on a real-valued axis and to a
 * non-empty range.
 */
function domainOf(values: number[], axis: AxisSpec, includeZero = false): [number, number] {
  const finite = values.filter(Number.isFinite);
  const dataMin = Math.min(...finite, ...(includeZero ? [0] : []));
  const dataMax = Math.max(...finite, ...(includeZero ? [0] : []));
  if (!Number.isFinite(dataMin) || !Number.isFinite(dataMax)) return [axis.min ?? 0, axis.max ?? 1];
  const padding = axis.integer ? 0 : (dataMax - dataMin) * DOMAIN_PADDING;
  let min = axis.min ?? (includeZero && dataMin === 0 ? 0 : dataMin - padding);
  let max = axis.max ?? dataMax + padding;
  if (max <= min) [min, max] = axis.integer ? [min - 1, max + 1] : [min - 0.5, max + 0.5];
  return [min, max];
}

/** Lays out legend entries in rows under the title; returns the markup and its height. */
function legend(entries: { name: string; color: string; dash?: string; bar?: boolean }[], left: number, top: number, width: number): { markup: string; height: number } {
  let x = 0;
  let row = 0;
  const items: string[] = [];
  for (const entry of entries) {
    const itemWidth = 30 + entry.name.length * CHAR_WIDTH + 14;
    if (x > 0 && x + itemWidth > width) {
      x = 0;
      row++;
    }
    const y = top + row * LEGEND_ROW;
    const sample = entry.bar
      ? `<rect x="${px(left + x)}" y="${px(y - 5)}" width="22" height="10" fill="${entry.color}"/>`
      : `<line x1="${px(left + x)}" y1="${px(y)}" x2="${px(left + x + 22)}" y2="${px(y)}" stroke="${entry.color}" stroke-width="2.5"${entry.dash ? ` stroke-dasharray="${escapeXml(entry.dash)}"` : ''}/>`;
    items.push(
      `<g class="legend-entry">${sample}<text x="${px(left + x + 28)}" y="${px(y + 4)}" font-size="12">${escapeXml(entry.name)}</text></g>`,
    );
    x += itemWidth;
  }
  const height = entries.length === 0 ? 0 : (row + 1) * LEGEND_ROW + 4;
  return { markup: `<g class="legend">${items.join('')}</g>`, height };
}

/** Draws the chart's frame: title, legend, grid, ticks and axis labels; returns the plot area. */
function frame(spec: ChartSpec, legendMarkup: { markup: string; height: number }, xTicks: { value: number; position: number }[], yTicks: { value: number; position: number }[], area: Frame): string {
  const parts: string[] = [];
  parts.push(`<text class="chart-title" x="${px(MARGIN.left)}" y="20" font-size="15" font-weight="bold">${escapeXml(spec.title)}</text>`);
  parts.push(legendMarkup.markup);
  parts.push(`<rect x="${px(area.left)}" y="${px(area.top)}" width="${px(area.width)}" height="${px(area.height)}" fill="#ffffff" stroke="#bbbbbb"/>`);
  const bottom = area.top + area.height;
  const xFormat = spec.x.format ?? defaultFormat;
  const yFormat = spec.y.format ?? defaultFormat;
  for (const tick of yTicks) {
    parts.push(`<line x1="${px(area.left)}" y1="${px(tick.position)}" x2="${px(area.left + area.width)}" y2="${px(tick.position)}" stroke="#e6e6e6"/>`);
    parts.push(`<text x="${px(area.left - 6)}" y="${px(tick.position + 4)}" font-size="11" text-anchor="end">${escapeXml(yFormat(tick.value))}</text>`);
  }
  for (const tick of xTicks) {
    parts.push(`<line x1="${px(tick.position)}" y1="${px(bottom)}" x2="${px(tick.position)}" y2="${px(bottom + 5)}" stroke="#555555"/>`);
    parts.push(`<text x="${px(tick.position)}" y="${px(bottom + 18)}" font-size="11" text-anchor="middle">${escapeXml(xFormat(tick.value))}</text>`);
  }
  parts.push(`<text class="axis-label" x="${px(area.left + area.width / 2)}" y="${px(spec.height - 8)}" font-size="12" text-anchor="middle">${escapeXml(spec.x.label)}</text>`);
  const yLabelX = 16;
  const yLabelY = area.top + area.height / 2;
  parts.push(
    `<text class="axis-label" x="${px(yLabelX)}" y="${px(yLabelY)}" font-size="12" text-anchor="middle" transform="rotate(-90 ${px(yLabelX)} ${px(yLabelY)})">${escapeXml(spec.y.label)}</text>`,
  );
  return parts.join('');
}

function open(spec: ChartSpec): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="${escapeXml(spec.id)}" width="${spec.width}" height="${spec.height}" ` +
    `viewBox="0 0 ${spec.width} ${spec.height}" font-family="${FONT_FAMILY}" role="img" aria-label="${escapeXml(spec.title)}">`
  );
}

function plotArea(spec: ChartSpec, legendHeight: number): Frame {
  const top = MARGIN.top + legendHeight;
  return { left: MARGIN.left, top, width: spec.width - MARGIN.left - MARGIN.right, height: spec.height - top - MARGIN.bottom };
}

function noData(area: Frame): string {
  return `<text class="no-data" x="${px(area.left + area.width / 2)}" y="${px(area.top + area.height / 2)}" font-size="13" text-anchor="middle" fill="#888888">no data</text>`;
}

/** Renders a line chart with markers at every point and optional horizontal guide lines. */
export function lineChart(spec: ChartSpec & { series: LineSeries[]; guides?: HorizontalGuide[] }): string {
  const series = spec.series.map((entry) => ({ ...entry, points: entry.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y)) }));
  const legendBlock = legend(series, MARGIN.left, MARGIN.top - 6, spec.width - MARGIN.left - MARGIN.right);
  const area = plotArea(spec, legendBlock.height);
  const allPoints = series.flatMap((entry) => entry.points);
  const guides = (spec.guides ?? []).filter((guide) => Number.isFinite(guide.y));
  const [xMin, xMax] = domainOf(allPoints.map((p) => p.x), spec.x);
  const [yMin, yMax] = domainOf([...allPoints.map((p) => p.y), ...guides.map((guide) => guide.y)], spec.y);
  const x = linearScale([xMin, xMax], [area.left, area.left + area.width]);
  const y = linearScale([yMin, yMax], [area.top + area.height, area.top]);
  const xTicks = niceTicks(xMin, xMax, 6, spec.x.integer).map((value) => ({ value, position: x(value) }));
  const yTicks = niceTicks(yMin, yMax, 5, spec.y.integer).map((value) => ({ value, position: y(value) }));

  const parts = [open(spec), frame(spec, legendBlock, xTicks, yTicks, area)];
  for (const guide of guides) {
    const position = y(guide.y);
    parts.push(
      `<g class="guide"><line x1="${px(area.left)}" y1="${px(position)}" x2="${px(area.left + area.width)}" y2="${px(position)}" stroke="#444444" stroke-dasharray="2 3"/>` +
        `<text x="${px(area.left + area.width - 4)}" y="${px(position - 4)}" font-size="11" text-anchor="end" fill="#444444">${escapeXml(guide.label)}</text></g>`,
    );
  }
  for (const entry of series) {
    const path = entry.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(x(p.x))} ${px(y(p.y))}`).join(' ');
    const dash = entry.dash ? ` stroke-dasharray="${escapeXml(entry.dash)}"` : '';
    const markers = entry.points.map((p, i) => {
      const radius = entry.highlight?.includes(i) ? 6 : 3;
      const ring = entry.highlight?.includes(i) ? ` stroke="#000000" stroke-width="1.5"` : '';
      const title = p.title === undefined ? '' : `<title>${escapeXml(p.title)}</title>`;
      return `<circle class="point" cx="${px(x(p.x))}" cy="${px(y(p.y))}" r="${radius}" fill="${entry.color}"${ring}>${title}</circle>`;
    });
    const line = entry.points.length > 1 ? `<path class="line" d="${path}" fill="none" stroke="${entry.color}" stroke-width="2"${dash}/>` : '';
    parts.push(`<g class="series" data-series="${escapeXml(entry.name)}">${line}${markers.join('')}</g>`);
  }
  if (allPoints.length === 0) parts.push(noData(area));
  parts.push('</svg>');
  return parts.join('');
}

export interface BarSeries {
  name: string;
  color: string;
  /** One value per category; non-finite values draw no bar. */
  values: number[];
}

/** Renders a grouped bar chart: one group per category, one bar per series. */
export function barChart(spec: ChartSpec & { categories: string[]; series: BarSeries[] }): string {
  const legendBlock = legend(spec.series.map((entry) => ({ ...entry, bar: true })), MARGIN.left, MARGIN.top - 6, spec.width - MARGIN.left - MARGIN.right);
  const area = plotArea(spec, legendBlock.height);
  const values = spec.series.flatMap((entry) => entry.values);
  const [yMin, yMax] = domainOf(values, spec.y, true);
  const y = linearScale([yMin, yMax], [area.top + area.height, area.top]);
  const groupWidth = area.width / Math.max(1, spec.categories.length);
  const barWidth = (groupWidth * 0.8) / Math.max(1, spec.series.length);
  const xTicks = spec.categories.map((_, i) => ({ value: i, position: area.left + (i + 0.5) * groupWidth }));
  const yTicks = niceTicks(yMin, yMax, 5, spec.y.integer).map((value) => ({ value, position: y(value) }));
  const categorySpec = { ...spec, x: { ...spec.x, format: (value: number) => spec.categories[value] ?? '' } };

  const parts = [open(spec), frame(categorySpec, legendBlock, xTicks, yTicks, area)];
  spec.series.forEach((entry, s) => {
    const bars = entry.values.map((value, i) => {
      if (!Number.isFinite(value)) return '';
      const left = area.left + i * groupWidth + groupWidth * 0.1 + s * barWidth;
      const top = y(Math.max(value, yMin));
      const height = Math.max(0, y(yMin) - top);
      return `<rect class="bar" x="${px(left)}" y="${px(top)}" width="${px(barWidth)}" height="${px(height)}" fill="${entry.color}"><title>${escapeXml(`${entry.name}, ${spec.categories[i] ?? ''}: ${defaultFormat(value)}`)}</title></rect>`;
    });
    parts.push(`<g class="series" data-series="${escapeXml(entry.name)}">${bars.join('')}</g>`);
  });
  if (values.filter(Number.isFinite).length === 0) parts.push(noData(area));
  parts.push('</svg>');
  return parts.join('');
}
