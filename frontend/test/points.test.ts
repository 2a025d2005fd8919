import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { addPoint, movePoint, removePoint, sortPoints, type SchedulePoint } from "../src/points.ts";

const DAY: SchedulePoint[] = [
  { time: "18:00", level: 60 },
  { time: "09:00", level: 0 },
  { time: "11:00", level: 60 },
  { time: "20:00", level: 0 },
];

describe("sortPoints", () => {
  it("orders by time of day without touching the input", () => {
    const sorted = sortPoints(DAY);
    assert.deepEqual(
      sorted.map((point) => point.time),
      ["09:00", "11:00", "18:00", "20:00"],
    );
    assert.equal(DAY[0].time, "18:00");
  });
});

describe("addPoint", () => {
  it("snaps a click to five minutes and whole percent, in order", () => {
    const { points, index } = addPoint(DAY, 14 * 60 + 2.4, 71.6);
    assert.equal(index, 2);
    assert.deepEqual(points[2], { time: "14:00", level: 72 });
    assert.equal(points.length, 5);
  });

  it("adds nothing where a point already is, and says which one that is", () => {
    const { points, index } = addPoint(DAY, 11 * 60 + 1, 10);
    assert.equal(points.length, 4);
    assert.equal(index, 1);
    assert.equal(points[1].level, 60);
  });

  it("keeps a click beyond the chart inside the day and 0..100 %", () => {
    const { points, index } = addPoint(DAY, 1500, 140);
    assert.deepEqual(points[index], { time: "23:55", level: 100 });
    assert.deepEqual(addPoint(DAY, -30, -5).points[0], { time: "00:00", level: 0 });
  });
});

describe("movePoint", () => {
  it("moves a point to the grid place it is dragged to", () => {
    const points = movePoint(DAY, 1, 10 * 60 + 31, 45.2);
    assert.deepEqual(points[1], { time: "10:30", level: 45 });
  });

  it("never passes a neighbour, so the dragged point keeps its index", () => {
    assert.equal(movePoint(DAY, 1, 8 * 60, 50)[1].time, "09:05");
    assert.equal(movePoint(DAY, 1, 19 * 60, 50)[1].time, "17:55");
    assert.equal(movePoint(DAY, 3, 23 * 60 + 59, 0)[3].time, "23:55");
    assert.equal(movePoint(DAY, 0, -10, 0)[0].time, "00:00");
  });

  it("ignores an index that is not there", () => {
    assert.deepEqual(movePoint(DAY, 7, 0, 0), sortPoints(DAY));
  });
});

describe("removePoint", () => {
  it("removes the point at an index of the sorted schedule", () => {
    assert.deepEqual(
      removePoint(DAY, 0).map((point) => point.time),
      ["11:00", "18:00", "20:00"],
    );
  });
});
