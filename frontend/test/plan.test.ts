import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { boardRows, stepInput } from "../src/board.ts";
import { layerData, layerForm, programData, switchProgram } from "../src/plan.ts";

describe("programData", () => {
  it("sends only the fields of the program's kind, and none left empty", () => {
    assert.deepEqual(
      programData({ program: "daylight", peak: 80, level: 30, shape: "bell", ramp_minutes: Number.NaN, time_zone: "" }),
      { program: "daylight", peak: 80, shape: "bell" },
    );
  });
});

describe("switchProgram", () => {
  it("keeps the program when its kind stays, and starts a new kind from its defaults", () => {
    const daylight = { program: "daylight" as const, peak: 42 };
    assert.equal(switchProgram(daylight, "daylight"), daylight);
    const schedule = switchProgram(daylight, "schedule");
    assert.equal(schedule.program, "schedule");
    assert.equal(schedule.points?.length, 4);
    schedule.points?.push({ time: "23:00", level: 1 });
    assert.equal(switchProgram(daylight, "schedule").points?.length, 4, "defaults are copied, never shared");
  });
});

describe("layers", () => {
  it("round-trips the set_layers fields through the form", () => {
    const fields = {
      lunar_max_level: 3,
      moonlight_level: 0.4,
      moonlight_start: "21:00",
      moonlight_end: "23:00",
      acclimation_days: 20,
      acclimation_start_level: 50,
      acclimation_start_date: "2026-11-01",
    };
    assert.deepEqual(layerData(layerForm(fields)), fields);
  });

  it("sends nothing for a layer that is off, so saving removes it", () => {
    const form = layerForm({ lunar_max_level: 3 });
    assert.equal(form.moonlight, null);
    assert.deepEqual(layerData({ ...form, lunar: null }), {});
  });
});

describe("add a board", () => {
  it("lists the free outputs and ticks the first ones", () => {
    const rows = boardRows([0, 1, 5], 3, "Board 40h");
    assert.equal(rows.length, 13);
    assert.deepEqual(
      rows.filter((row) => row.add).map((row) => row.output),
      [2, 3, 4],
    );
    assert.equal(rows[0].name, "Board 40h 3");
  });

  it("gives each flow step only the fields its form asks for", () => {
    const values = { name: "White 1", output: 2, bus: 1, role: "white" };
    assert.deepEqual(stepInput([{ name: "bus" }], values), { bus: 1 });
    assert.deepEqual(stepInput([{ name: "name" }, { name: "output" }, { name: "frequency" }], values), {
      name: "White 1",
      output: 2,
    });
  });
});
