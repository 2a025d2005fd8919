// <reef-program-editor>: one channel's program and layers. The curve follows every edit through a preview of the
// unsaved plan (nothing changes on the tank until Save); Save sends it through the services, to this channel and
// any others the keeper copies it to; Cancel leaves the channel as it was.
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import { type DayCurve, previewPlan, savePlan } from "./api.ts";
import type { Handle, Series } from "./chart.ts";
import { errorMessage, type HomeAssistant } from "./hass.ts";
import {
  type ChannelInfo,
  INTERPOLATIONS,
  LAYER_DEFAULTS,
  layerData,
  layerForm,
  type LayerForm,
  PROGRAM_KINDS,
  programData,
  type ProgramFields,
  type ProgramKind,
  roleColor,
  SHAPES,
  switchProgram,
  type Tank,
} from "./plan.ts";
import { addPoint, movePoint, removePoint, type SchedulePoint } from "./points.ts";
import { dayPoints, formatTime, parseTime } from "./scale.ts";
import { panelStyles } from "./styles.ts";
import { tankDate, tankMinutes } from "./time.ts";
import "./chart.ts";

const PREVIEW_DELAY_MS = 150;
const PREVIEW_STEP_MINUTES = 5;

type NumberField = "level" | "peak" | "sunrise_offset" | "sunset_offset" | "ramp_minutes" | "latitude" | "longitude" | "cloud_dimming" | "storm_strength";

export class ReefProgramEditor extends LitElement {
  static properties = {
    hass: { attribute: false },
    tank: { attribute: false },
    entityId: { attribute: "entity-id" },
    _program: { state: true },
    _layers: { state: true },
    _curve: { state: true },
    _error: { state: true },
    _selected: { state: true },
    _copyTo: { state: true },
    _saving: { state: true },
  };

  declare hass: HomeAssistant;
  declare tank: Tank;
  declare entityId: string;
  declare _program: ProgramFields;
  declare _layers: LayerForm;
  declare _curve: DayCurve | null;
  declare _error: string | null;
  declare _selected: number | null;
  declare _copyTo: string[];
  declare _saving: boolean;
  private _previewTimer: number | null = null;
  private _previewRun = 0;
  private _loaded = "";

  constructor() {
    super();
    this._curve = null;
    this._error = null;
    this._selected = null;
    this._copyTo = [];
    this._saving = false;
  }

  private get _channel(): ChannelInfo | undefined {
    return this.tank?.channels.find((channel) => channel.entity_id === this.entityId);
  }

  protected willUpdate(changed: PropertyValues): void {
    const channel = this._channel;
    if (channel && this._loaded !== channel.entity_id) {
      this._loaded = channel.entity_id;
      this._program = structuredClone(channel.program);
      this._layers = layerForm(channel.layers);
      this._copyTo = [];
      this._selected = null;
      this._schedulePreview(0);
    } else if (changed.has("hass") && !changed.get("hass") && channel) {
      this._schedulePreview(0);
    }
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this._previewTimer !== null) window.clearTimeout(this._previewTimer);
  }

  private _change(program: ProgramFields, layers: LayerForm = this._layers): void {
    this._program = program;
    this._layers = layers;
    this._schedulePreview(PREVIEW_DELAY_MS);
  }

  private _schedulePreview(delay: number): void {
    if (this._previewTimer !== null) window.clearTimeout(this._previewTimer);
    this._previewTimer = window.setTimeout(() => void this._preview(), delay);
  }

  private async _preview(): Promise<void> {
    this._previewTimer = null;
    if (!this.hass) return;
    const run = ++this._previewRun;
    const date = tankDate(new Date(), this.hass.config.time_zone);
    try {
      const curve = await previewPlan(
        this.hass,
        this.entityId,
        programData(this._program),
        layerData(this._layers),
        date,
        PREVIEW_STEP_MINUTES,
      );
      if (run !== this._previewRun) return;
      this._curve = curve;
      this._error = null;
    } catch (error) {
      if (run !== this._previewRun) return;
      this._error = errorMessage(error);
    }
  }

  private get _points(): SchedulePoint[] {
    return this._program.points ?? [];
  }

  private _setPoints(points: SchedulePoint[], selected: number | null = this._selected): void {
    this._selected = selected;
    this._change({ ...this._program, points });
  }

  private _setNumber(field: NumberField, event: Event): void {
    const text = (event.target as HTMLInputElement).value;
    this._change({ ...this._program, [field]: text === "" ? Number.NaN : Number(text) });
  }

  private _setText(field: "shape" | "interpolation" | "time_zone" | "weather_entity", event: Event): void {
    this._change({ ...this._program, [field]: (event.target as HTMLInputElement | HTMLSelectElement).value });
  }

  private _setLayer<K extends keyof LayerForm>(kind: K, value: LayerForm[K]): void {
    this._change(this._program, { ...this._layers, [kind]: value });
  }

  private async _save(): Promise<void> {
    this._saving = true;
    try {
      await savePlan(
        this.hass,
        [this.entityId, ...this._copyTo],
        programData(this._program),
        layerData(this._layers),
      );
      this._error = null;
      this._fire("saved");
    } catch (error) {
      this._error = errorMessage(error);
    } finally {
      this._saving = false;
    }
  }

  private _fire(name: string): void {
    this.dispatchEvent(new CustomEvent(name, { detail: { entityId: this.entityId }, bubbles: true, composed: true }));
  }

  protected render() {
    const channel = this._channel;
    if (!channel || !this._program) return html`<p class="muted">This channel is not part of the tank any more.</p>`;
    const schedule = this._program.program === "schedule";
    const handles: Handle[] | null = schedule
      ? this._points.map((point) => ({ minute: parseTime(point.time), level: point.level }))
      : null;
    const series: Series[] = this._curve
      ? [{ id: channel.entity_id, label: channel.name, color: roleColor(channel.role), points: dayPoints(this._curve.points) }]
      : [];
    return html`
      <section class="card" aria-labelledby="editor-title">
        <h2 id="editor-title">${channel.name}</h2>
        <div class="fields">
          <label
            >Program
            <select
              class="program"
              @change=${(event: Event) =>
                this._change(switchProgram(this._program, (event.target as HTMLSelectElement).value as ProgramKind))}
            >
              ${PROGRAM_KINDS.map((kind) => html`<option value=${kind} ?selected=${kind === this._program.program}>${kind}</option>`)}
            </select>
          </label>
        </div>
        <reef-day-chart
          .series=${series}
          .handles=${handles}
          .selected=${this._selected}
          .now=${tankMinutes(new Date(), this.hass.config.time_zone)}
          label=${`${channel.name}: the day this plan gives`}
          @point-add=${(event: CustomEvent<{ minute: number; level: number }>) => {
            const added = addPoint(this._points, event.detail.minute, event.detail.level);
            this._setPoints(added.points, added.index);
          }}
          @point-move=${(event: CustomEvent<{ index: number; minute: number; level: number }>) =>
            this._setPoints(movePoint(this._points, event.detail.index, event.detail.minute, event.detail.level), event.detail.index)}
          @point-remove=${(event: CustomEvent<{ index: number }>) => this._setPoints(removePoint(this._points, event.detail.index), null)}
          @point-select=${(event: CustomEvent<{ index: number }>) => (this._selected = event.detail.index)}
        ></reef-day-chart>
        ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
        ${this._renderProgram()}
      </section>
      ${this._renderLayers()}
      <section class="card" aria-labelledby="copy-title">
        <h2 id="copy-title">Also save to</h2>
        <div class="row">
          ${this.tank.channels
            .filter((other) => other.entity_id !== this.entityId)
            .map(
              (other) =>
                html`<label class="inline"
                  ><input
                    type="checkbox"
                    class="copy"
                    value=${other.entity_id}
                    .checked=${this._copyTo.includes(other.entity_id)}
                    @change=${(event: Event) =>
                      (this._copyTo = (event.target as HTMLInputElement).checked
                        ? [...this._copyTo, other.entity_id]
                        : this._copyTo.filter((id) => id !== other.entity_id))}
                  />${other.name}</label
                >`,
            )}
        </div>
      </section>
      <div class="row buttons">
        <button class="cancel" @click=${() => this._fire("cancel")}>Cancel</button>
        <button class="primary save" ?disabled=${this._saving} @click=${() => void this._save()}>Save</button>
      </div>
    `;
  }

  private _number(field: NumberField, label: string, step = "any") {
    const value = this._program[field];
    return html`<label
      >${label}
      <input
        type="number"
        name=${field}
        step=${step}
        .value=${value === undefined || Number.isNaN(value) ? "" : String(value)}
        @input=${(event: Event) => this._setNumber(field, event)}
    /></label>`;
  }

  private _renderProgram() {
    switch (this._program.program) {
      case "static":
        return html`<div class="fields">${this._number("level", "Level (%)")}</div>`;
      case "schedule":
        return this._renderSchedule();
      case "daylight":
        return html`<div class="fields">
          ${this._number("peak", "Peak (%)")}
          <label
            >Shape
            <select name="shape" @change=${(event: Event) => this._setText("shape", event)}>
              ${SHAPES.map((shape) => html`<option ?selected=${shape === this._program.shape}>${shape}</option>`)}
            </select></label
          >
          ${this._number("sunrise_offset", "Sunrise offset (min)")} ${this._number("sunset_offset", "Sunset offset (min)")}
          ${this._number("ramp_minutes", "Ramp (min)")}
        </div>`;
      case "mimic": {
        const weather = Object.keys(this.hass.states).filter((entityId) => entityId.startsWith("weather."));
        return html`<div class="fields">
          ${this._number("latitude", "Latitude")} ${this._number("longitude", "Longitude")}
          <label
            >Time zone
            <input
              name="time_zone"
              .value=${this._program.time_zone ?? ""}
              @input=${(event: Event) => this._setText("time_zone", event)}
          /></label>
          ${this._number("peak", "Peak (%)")}
          <label
            >Weather
            <select name="weather_entity" @change=${(event: Event) => this._setText("weather_entity", event)}>
              <option value="" ?selected=${!this._program.weather_entity}>None</option>
              ${weather.map(
                (entityId) =>
                  html`<option value=${entityId} ?selected=${entityId === this._program.weather_entity}>
                    ${this.hass.states[entityId]?.attributes.friendly_name ?? entityId}
                  </option>`,
              )}
            </select></label
          >
          ${this._number("cloud_dimming", "Cloud dimming (%)")} ${this._number("storm_strength", "Storm strength (%)")}
        </div>`;
      }
    }
  }

  private _renderSchedule() {
    const points = this._points;
    return html`<div class="fields">
        <label
          >Between points
          <select name="interpolation" @change=${(event: Event) => this._setText("interpolation", event)}>
            ${INTERPOLATIONS.map((kind) => html`<option ?selected=${kind === this._program.interpolation}>${kind}</option>`)}
          </select></label
        >
      </div>
      <p class="muted">Click the chart to add a point; drag a point, or focus it and use the arrow keys, to move it.</p>
      <table class="points">
        <thead>
          <tr>
            <th>Time</th>
            <th>Level (%)</th>
            <th><span class="visually-hidden">Remove</span></th>
          </tr>
        </thead>
        <tbody>
          ${points.map(
            (point, index) => html`<tr class=${index === this._selected ? "selected" : ""}>
              <td>
                <input
                  type="time"
                  aria-label=${`Time of point ${index + 1}`}
                  .value=${point.time}
                  @change=${(event: Event) => {
                    const time = (event.target as HTMLInputElement).value;
                    const next = this._points.map((other, position) => (position === index ? { ...other, time } : other));
                    this._setPoints(next, null);
                  }}
                />
              </td>
              <td>
                <input
                  type="number"
                  class="level"
                  aria-label=${`Level of point ${index + 1}`}
                  step="any"
                  .value=${String(point.level)}
                  @input=${(event: Event) => {
                    const text = (event.target as HTMLInputElement).value;
                    const level = text === "" ? Number.NaN : Number(text);
                    this._setPoints(this._points.map((other, position) => (position === index ? { ...other, level } : other)));
                  }}
                />
              </td>
              <td>
                <button
                  class="remove"
                  aria-label=${`Remove point ${index + 1} (${point.time})`}
                  @click=${() => this._setPoints(removePoint(this._points, index), null)}
                >
                  Remove
                </button>
              </td>
            </tr>`,
          )}
        </tbody>
      </table>
      <div class="row">
        <button
          class="add-point"
          @click=${() => {
            const current = this._points;
            const last = current.length ? parseTime(current[current.length - 1].time) : 600;
            const added = addPoint(current, Math.min(last + 60, 1435), current[current.length - 1]?.level ?? 50);
            this._setPoints(added.points, added.index);
          }}
        >
          Add a point
        </button>
        <span class="muted">${points.length} points, ${formatTime(0)}–24:00</span>
      </div>`;
  }

  private _renderLayers() {
    const layers = this._layers;
    const toggle = <K extends keyof LayerForm>(kind: K, on: LayerForm[K], label: string) =>
      html`<label class="inline"
        ><input
          type="checkbox"
          name=${kind}
          .checked=${layers[kind] !== null}
          @change=${(event: Event) => this._setLayer(kind, (event.target as HTMLInputElement).checked ? on : null)}
        />${label}</label
      >`;
    const today = tankDate(new Date(), this.hass.config.time_zone);
    return html`<section class="card" aria-labelledby="layers-title">
      <h2 id="layers-title">Layers</h2>
      ${toggle("lunar", { ...LAYER_DEFAULTS.lunar }, "Lunar: the real moon, while it is up")}
      ${layers.lunar
        ? html`<div class="fields indent">
            <label
              >Full moon level (%)
              <input
                type="number"
                name="lunar_max_level"
                step="any"
                .value=${String(layers.lunar.max_level)}
                @input=${(event: Event) => this._setLayer("lunar", { max_level: Number((event.target as HTMLInputElement).value) })}
            /></label>
          </div>`
        : nothing}
      ${toggle("moonlight", { ...LAYER_DEFAULTS.moonlight }, "Moonlight: a fixed dim level in a window")}
      ${layers.moonlight
        ? html`<div class="fields indent">
            ${(["level", "start", "end"] as const).map((key) => {
              const moonlight = layers.moonlight!;
              return html`<label
                >${{ level: "Level (%)", start: "From", end: "Until" }[key]}
                <input
                  type=${key === "level" ? "number" : "time"}
                  name=${`moonlight_${key}`}
                  step="any"
                  .value=${String(moonlight[key])}
                  @input=${(event: Event) => {
                    const text = (event.target as HTMLInputElement).value;
                    this._setLayer("moonlight", { ...this._layers.moonlight!, [key]: key === "level" ? Number(text) : text });
                  }}
              /></label>`;
            })}
          </div>`
        : nothing}
      ${toggle(
        "acclimation",
        { ...LAYER_DEFAULTS.acclimation, start_date: today },
        "Acclimation: ramp the peak up over days",
      )}
      ${layers.acclimation
        ? html`<div class="fields indent">
            ${(["days", "start_level", "start_date"] as const).map((key) => {
              const acclimation = layers.acclimation!;
              return html`<label
                >${{ days: "Days", start_level: "Start level (%)", start_date: "Start date" }[key]}
                <input
                  type=${key === "start_date" ? "date" : "number"}
                  name=${`acclimation_${key}`}
                  step="any"
                  .value=${String(acclimation[key])}
                  @input=${(event: Event) => {
                    const text = (event.target as HTMLInputElement).value;
                    this._setLayer("acclimation", { ...this._layers.acclimation!, [key]: key === "start_date" ? text : Number(text) });
                  }}
              /></label>`;
            })}
          </div>`
        : nothing}
    </section>`;
  }

  static styles = [
    panelStyles,
    css`
      reef-day-chart {
        margin: 8px 0;
      }
      .points input {
        width: 9.5em;
      }
      tr.selected td {
        background: var(--secondary-background-color, rgba(127, 127, 127, 0.1));
      }
      .indent {
        margin: 8px 0 12px 28px;
      }
      .buttons {
        justify-content: flex-end;
        margin-bottom: 16px;
      }
      .visually-hidden {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
      }
    `,
  ];
}

customElements.define("reef-program-editor", ReefProgramEditor);

declare global {
  interface HTMLElementTagNameMap {
    "reef-program-editor": ReefProgramEditor;
  }
}
