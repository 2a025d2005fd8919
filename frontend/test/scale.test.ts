import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clamp, dayPoints, formatTime, linearScale, linePath, parseTime, snap, ticks } from "../src/scale.ts";

describe("linearScale", () => {
  it("maps the day onto the plot and back", () => {
    const x = linearScale([0, 1440], [40, 1000]);
    assert.equal(x(0), 40);
    assert.equal(x(720), 520);
    assert.equal(x(1440), 1000);
    assert.equal(x.invert(520), 720);
  });

  it("runs a y axis upwards: 100 % at the top", () => {
    const y = linearScale([0, 100], [220, 10]);
    assert.equal(y(0), 220);
    assert.equal(y(100), 10);
    assert.equal(y.invert(115), 50);
  });

  it("refuses an empty domain", () => {
    assert.throws(() => linearScale([5, 5], [0, 1]), RangeError);
  });
});

describe("times of day", () => {
  it("parses HH:MM and HH:MM:SS", () => {
    assert.equal(parseTime("06:30"), 390);
    assert.equal(parseTime("23:59:30"), 1439.5);
    assert.equal(parseTime("0:05"), 5);
  });

  it("rejects what is no time of day", () => {
    for (const text of ["24:00", "12:60", "noon", "", "12"]) assert.ok(Number.isNaN(parseTime(text)), text);
  });

  it("formats whole minutes and wraps past midnight", () => {
    assert.equal(formatTime(390), "06:30");
    assert.equal(formatTime(1440), "00:00");
    assert.equal(formatTime(-5), "23:55");
    assert.equal(formatTime(59.6), "01:00");
  });

});

describe("dayPoints", () => {
  it("counts minutes from the day's first point", () => {
    const points = dayPoints([
      { time: "2026-03-29T00:00:00+01:00", level: 0 },
      { time: "2026-03-29T01:00:00+01:00", level: 10 },
      { time: "2026-03-29T03:00:00+02:00", level: 20 },
    ]);
    assert.deepEqual(points, [
      { minute: 0, level: 0 },
      { minute: 60, level: 10 },
      { minute: 120, level: 20 },
    ]);
  });

  it("is empty for no points", () => {
    assert.deepEqual(dayPoints([]), []);
  });
});

describe("helpers", () => {
  it("ticks, clamps and snaps", () => {
    assert.deepEqual(ticks(0, 100, 25), [0, 25, 50, 75, 100]);
    assert.equal(clamp(120, 0, 100), 100);
    assert.equal(clamp(-1, 0, 100), 0);
    assert.equal(snap(367, 5), 365);
    assert.equal(snap(368, 5), 370);
  });

  it("draws a path through pixel points", () => {
    assert.equal(linePath([{ x: 1, y: 2 }, { x: 3.456, y: 4 }]), "M1.00,2.00 L3.46,4.00");
    assert.equal(linePath([]), "");
  });
});
