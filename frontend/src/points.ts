// Editing a schedule's points the way the chart lets a keeper: add, move, remove. Pure and unit-tested; the
// engine validates the result again when it is previewed or saved.
import { clamp, DAY_MINUTES, formatTime, parseTime, snap } from "./scale.ts";

export interface SchedulePoint {
  /** Wall-clock "HH:MM". */
  time: string;
  /** Percent, 0..100. */
  level: number;
}

/** Dragging and clicking land on this grid: five minutes, one percent. */
export const MINUTE_STEP = 5;
export const LEVEL_STEP = 1;

/** The points sorted by time of day. */
export function sortPoints(points: readonly SchedulePoint[]): SchedulePoint[] {
  return [...points].sort((a, b) => parseTime(a.time) - parseTime(b.time));
}

function onGrid(minute: number, level: number): { minute: number; level: number } {
  return {
    minute: clamp(snap(minute, MINUTE_STEP), 0, DAY_MINUTES - MINUTE_STEP),
    level: clamp(snap(level, LEVEL_STEP), 0, 100),
  };
}

/**
 * The points with one more at `minute`/`level` (snapped to the grid), and where it landed. When the grid place is
 * taken, nothing is added and `index` is that point's.
 */
export function addPoint(
  points: readonly SchedulePoint[],
  minute: number,
  level: number,
): { points: SchedulePoint[]; index: number } {
  const grid = onGrid(minute, level);
  const time = formatTime(grid.minute);
  const sorted = sortPoints(points);
  const taken = sorted.findIndex((point) => parseTime(point.time) === grid.minute);
  if (taken >= 0) return { points: sorted, index: taken };
  const next = sortPoints([...sorted, { time, level: grid.level }]);
  return { points: next, index: next.findIndex((point) => point.time === time) };
}

/**
 * The points with the one at `index` moved to `minute`/`level` (snapped), kept strictly between its neighbours
 * so the order, and so the index, never changes while a point is dragged.
 */
export function movePoint(
  points: readonly SchedulePoint[],
  index: number,
  minute: number,
  level: number,
): SchedulePoint[] {
  const sorted = sortPoints(points);
  if (index < 0 || index >= sorted.length) return sorted;
  const grid = onGrid(minute, level);
  const low = index > 0 ? parseTime(sorted[index - 1].time) + MINUTE_STEP : 0;
  const high = index < sorted.length - 1 ? parseTime(sorted[index + 1].time) - MINUTE_STEP : DAY_MINUTES - MINUTE_STEP;
  const at = low > high ? parseTime(sorted[index].time) : clamp(grid.minute, low, high);
  sorted[index] = { time: formatTime(at), level: grid.level };
  return sorted;
}

/** The points without the one at `index`. */
export function removePoint(points: readonly SchedulePoint[], index: number): SchedulePoint[] {
  return sortPoints(points).filter((_, position) => position !== index);
}

