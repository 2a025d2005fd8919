// What the panel edits, in the set_program / set_layers services' own fields (percent, minutes, "HH:MM"), so
// saving is a plain service call and the engine checks it the way it checks any call. Pure, unit-tested.
import type { SchedulePoint } from "./points.ts";

export const PROGRAM_KINDS = ["static", "schedule", "daylight", "mimic"] as const;
export type ProgramKind = (typeof PROGRAM_KINDS)[number];
export const SHAPES = ["sine", "bell", "plateau"] as const;
export const INTERPOLATIONS = ["linear", "smooth"] as const;

export interface ProgramFields {
  program: ProgramKind;
  level?: number;
  points?: SchedulePoint[];
  interpolation?: string;
  peak?: number;
  shape?: string;
  sunrise_offset?: number;
  sunset_offset?: number;
  ramp_minutes?: number;
  latitude?: number;
  longitude?: number;
  time_zone?: string;
  weather_entity?: string;
  cloud_dimming?: number;
  storm_strength?: number;
}

export interface LayerFields {
  lunar_max_level?: number;
  moonlight_level?: number;
  moonlight_start?: string;
  moonlight_end?: string;
  acclimation_days?: number;
  acclimation_start_level?: number;
  acclimation_start_date?: string;
}

/** The fields each program kind takes; the others are dropped before a preview or a save. */
const PROGRAM_FIELDS: Record<ProgramKind, readonly (keyof ProgramFields)[]> = {
  static: ["level"],
  schedule: ["points", "interpolation"],
  daylight: ["peak", "shape", "sunrise_offset", "sunset_offset", "ramp_minutes"],
  mimic: ["peak", "latitude", "longitude", "time_zone", "weather_entity", "cloud_dimming", "storm_strength"],
};

/** A sensible start for each kind when the keeper switches a channel to it. */
export const PROGRAM_DEFAULTS: Record<ProgramKind, ProgramFields> = {
  static: { program: "static", level: 50 },
  schedule: {
    program: "schedule",
    interpolation: "smooth",
    points: [
      { time: "09:00", level: 0 },
      { time: "11:00", level: 60 },
      { time: "18:00", level: 60 },
      { time: "20:00", level: 0 },
    ],
  },
  daylight: { program: "daylight", peak: 80, shape: "bell", sunrise_offset: 0, sunset_offset: 0, ramp_minutes: 90 },
  mimic: {
    program: "mimic",
    peak: 80,
    latitude: -16.5,
    longitude: -151.74,
    time_zone: "Pacific/Tahiti",
    cloud_dimming: 70,
    storm_strength: 60,
  },
};

/** The program as it would be sent: only its kind's fields, empty ones left out. */
export function programData(fields: ProgramFields): ProgramFields {
  const data: ProgramFields = { program: fields.program };
  for (const key of PROGRAM_FIELDS[fields.program]) {
    const value = fields[key];
    if (value !== undefined && value !== "" && !(typeof value === "number" && Number.isNaN(value))) {
      Object.assign(data, { [key]: value });
    }
  }
  return data;
}

/** The program switched to `kind`: the same program when the kind does not change, else that kind's start. */
export function switchProgram(fields: ProgramFields, kind: ProgramKind): ProgramFields {
  return fields.program === kind ? fields : structuredClone(PROGRAM_DEFAULTS[kind]);
}

export interface LayerForm {
  lunar: { max_level: number } | null;
  moonlight: { level: number; start: string; end: string } | null;
  acclimation: { days: number; start_level: number; start_date: string } | null;
}

export const LAYER_DEFAULTS = {
  lunar: { max_level: 2 },
  moonlight: { level: 0.5, start: "21:00", end: "23:30" },
  acclimation: { days: 30, start_level: 40 },
} as const;

/** The channel's layers as the form shows them: each one on (with its values) or off. */
export function layerForm(fields: LayerFields): LayerForm {
  return {
    lunar: fields.lunar_max_level === undefined ? null : { max_level: fields.lunar_max_level },
    moonlight:
      fields.moonlight_level === undefined
        ? null
        : {
            level: fields.moonlight_level,
            start: fields.moonlight_start ?? LAYER_DEFAULTS.moonlight.start,
            end: fields.moonlight_end ?? LAYER_DEFAULTS.moonlight.end,
          },
    acclimation:
      fields.acclimation_days === undefined
        ? null
        : {
            days: fields.acclimation_days,
            start_level: fields.acclimation_start_level ?? LAYER_DEFAULTS.acclimation.start_level,
            start_date: fields.acclimation_start_date ?? "",
          },
  };
}

/** The set_layers fields of the form: a layer that is off sends nothing, so saving removes it. */
export function layerData(form: LayerForm): LayerFields {
  const data: LayerFields = {};
  if (form.lunar) data.lunar_max_level = form.lunar.max_level;
  if (form.moonlight) {
    data.moonlight_level = form.moonlight.level;
    data.moonlight_start = form.moonlight.start;
    data.moonlight_end = form.moonlight.end;
  }
  if (form.acclimation) {
    data.acclimation_days = form.acclimation.days;
    data.acclimation_start_level = form.acclimation.start_level;
    if (form.acclimation.start_date) data.acclimation_start_date = form.acclimation.start_date;
  }
  return data;
}

export interface Part {
  entity_id: string;
  name: string;
}

export interface ChannelInfo extends Part {
  role: string;
  driver: string;
  address?: number;
  output?: number;
  program: ProgramFields;
  layers: LayerFields;
}

/** One controller as the panel's tanks command gives it. */
export interface Tank {
  entry_id: string;
  title: string;
  channels: ChannelInfo[];
  probes: Part[];
  outlets: Part[];
  rules: string[];
  feed_mode: string | null;
  feed_button: string | null;
  stop_effects_button: string | null;
}

/** A channel's colour on the chart, from its role. */
export function roleColor(role: string): string {
  const colors: Record<string, string> = {
    royal_blue: "#3a4cff",
    blue: "#1e88e5",
    white: "#90a4ae",
    cool_white: "#80cbc4",
    violet: "#8e44ff",
    uv: "#c000ff",
    red: "#e53935",
    green: "#43a047",
    moon: "#5c9bd6",
    refugium: "#ef6c00",
  };
  return colors[role] ?? "#9e9e9e";
}
