// The integration's WebSocket commands and services, as the panel calls them.
import type { HomeAssistant } from "./hass.ts";
import type { LayerFields, ProgramFields, Tank } from "./plan.ts";

export const DOMAIN = "bellas_reef";

export interface DayCurve {
  date: string;
  program: string;
  points: { time: string; level: number }[];
}

export interface Readings {
  buckets: { start: string; end: string; avg: number; min: number; max: number; count: number }[];
}

export type Outputs = Record<string, { level: number; duty: number }>;

export const tanks = (hass: HomeAssistant) => hass.callWS<Tank[]>({ type: `${DOMAIN}/panel/tanks` });

/** A channel's day as the preview service gives it: what it will really do, overrides and effects included. */
export const previewDay = (hass: HomeAssistant, entityId: string, date: string, stepMinutes: number) =>
  hass.callWS<DayCurve>({ type: `${DOMAIN}/preview`, entity_id: entityId, date, step_minutes: stepMinutes });

/** The day a channel would have under an unsaved program and layers (checked as the services check them). */
export const previewPlan = (
  hass: HomeAssistant,
  entityId: string,
  program: ProgramFields,
  layers: LayerFields,
  date: string,
  stepMinutes: number,
) =>
  hass.callWS<DayCurve>({
    type: `${DOMAIN}/panel/preview_plan`,
    entity_id: entityId,
    program,
    layers,
    date,
    step_minutes: stepMinutes,
  });

export const readings = (hass: HomeAssistant, entityId: string, start: Date, buckets: number) =>
  hass.callWS<Readings>({ type: `${DOMAIN}/readings`, entity_id: entityId, start: start.toISOString(), buckets });

export const subscribeOutputs = (hass: HomeAssistant, entryId: string, callback: (outputs: Outputs) => void) =>
  hass.connection.subscribeMessage<{ outputs: Outputs }>((event) => callback(event.outputs), {
    type: `${DOMAIN}/subscribe_outputs`,
    entry_id: entryId,
  });

/** Save a plan to channels: the program, then the layers, through the services. */
export async function savePlan(
  hass: HomeAssistant,
  entityIds: string[],
  program: ProgramFields,
  layers: LayerFields,
): Promise<void> {
  await hass.callService(DOMAIN, "set_program", { ...program }, { entity_id: entityIds });
  await hass.callService(DOMAIN, "set_layers", { ...layers }, { entity_id: entityIds });
}
