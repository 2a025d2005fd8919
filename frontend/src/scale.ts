// Scales between the keeper's units (minutes of the day, percent) and pixels on a chart. Pure, unit-tested.

export const DAY_MINUTES = 1440;

export interface Scale {
  /** Pixel position of a value. */
  (value: number): number;
  /** The value at a pixel position. */
  invert(pixel: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
}

/** A straight-line map from `domain` onto `range` (either may run backwards, as a y axis does). */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d0 === d1) throw new RangeError("a scale needs a domain of some length");
  const ratio = (r1 - r0) / (d1 - d0);
  const scale = ((value: number) => r0 + (value - d0) * ratio) as Scale;
  return Object.assign(scale, {
    invert: (pixel: number) => d0 + (pixel - r0) / ratio,
    domain: [d0, d1] as const,
    range: [r0, r1] as const,
  });
}

/** Evenly spaced values from `start` to `end` inclusive, `step` apart. */
export function ticks(start: number, end: number, step: number): number[] {
  const values: number[] = [];
  for (let value = start; value <= end + 1e-9; value += step) values.push(value);
  return values;
}

/** `value` kept within `low`..`high`. */
export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** `value` rounded to the nearest multiple of `step`. */
export function snap(value: number, step: number): number {
  return Math.round(value / step) * step;
}

/** "HH:MM" (or "HH:MM:SS") as minutes since midnight; NaN when it is no time of day. */
export function parseTime(text: string): number {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(text.trim());
  if (!match) return Number.NaN;
  const [hours, minutes, seconds] = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 59) return Number.NaN;
  return hours * 60 + minutes + seconds / 60;
}

/** Minutes since midnight as "HH:MM" (whole minutes; 1440 and beyond wrap to the next day). */
export function formatTime(minutes: number): string {
  const whole = ((Math.round(minutes) % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES;
  return `${String(Math.floor(whole / 60)).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

/** A day's points ({time, level}) as chart points: minutes after the day's first point, level in percent. */
export function dayPoints(points: readonly { time: string; level: number }[]): { minute: number; level: number }[] {
  if (points.length === 0) return [];
  const start = Date.parse(points[0].time);
  return points.map((point) => ({ minute: (Date.parse(point.time) - start) / 60000, level: point.level }));
}

/** An SVG path through points already in pixels: "M x,y L x,y ...", two decimals. */
export function linePath(points: readonly { x: number; y: number }[]): string {
  return points.map((point, index) => `${index ? "L" : "M"}${point.x.toFixed(2)},${point.y.toFixed(2)}`).join(" ");
}
