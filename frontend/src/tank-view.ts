// <reef-tank-view>: one controller at a glance: each channel's day and live level, probes with their last 24 h,
// outlets and what holds them, raised rules, feeding and running effects.
import { css, html, LitElement, nothing, svg, type PropertyValues } from "lit";
import { type DayCurve, previewDay, type Outputs, readings, type Readings, subscribeOutputs } from "./api.ts";
import type { Series } from "./chart.ts";
import { errorMessage, type HomeAssistant } from "./hass.ts";
import { roleColor, type Tank } from "./plan.ts";
import { dayPoints, linearScale, linePath } from "./scale.ts";
import { panelStyles } from "./styles.ts";
import { tankDate, tankMinutes } from "./time.ts";
import "./chart.ts";

/** Points of the tank view's day curves (the editor draws every minute's worth of detail it needs itself). */
const STEP_MINUTES = 5;
/** Live levels arrive up to 20 times a second during effects; the view redraws at most this often. */
const LIVE_REDRAW_MS = 250;
const PROBE_BUCKETS = 96;
const PROBE_REFRESH_MS = 5 * 60 * 1000;

export class ReefTankView extends LitElement {
  static properties = {
    hass: { attribute: false },
    tank: { attribute: false },
    date: {},
    _curves: { state: true },
    _history: { state: true },
    _error: { state: true },
  };

  declare hass: HomeAssistant;
  declare tank: Tank;
  declare date: string;
  declare _curves: Record<string, DayCurve>;
  declare _history: Record<string, Readings>;
  declare _error: string | null;
  private _live: Outputs = {};
  private _liveTimer: number | null = null;
  private _probeTimer: number | null = null;
  private _unsubscribe: Promise<() => Promise<void>> | null = null;
  private _loadedFor = "";

  constructor() {
    super();
    this._curves = {};
    this._history = {};
    this._error = null;
    this.date = "";
  }

  connectedCallback(): void {
    super.connectedCallback();
    this._probeTimer = window.setInterval(() => void this._loadHistory(), PROBE_REFRESH_MS);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this._stopLive();
    if (this._probeTimer !== null) window.clearInterval(this._probeTimer);
    if (this._liveTimer !== null) window.clearTimeout(this._liveTimer);
    this._loadedFor = "";
  }

  protected willUpdate(changed: PropertyValues): void {
    if (!this.hass || !this.tank) return;
    if (!this.date) this.date = this._today();
    // The day's curves change with the plans, and with overrides and effects started from anywhere.
    const held = this.tank.channels.map((channel) => {
      const attributes = this.hass.states[channel.entity_id]?.attributes ?? {};
      return [attributes.override_until, attributes.effect];
    });
    const key = JSON.stringify([this.tank.entry_id, this.date, this.tank.channels, held]);
    if (key !== this._loadedFor) {
      this._loadedFor = key;
      void this._loadCurves();
      if (changed.has("tank")) {
        void this._loadHistory();
        this._startLive();
      }
    }
  }

  private _today(): string {
    return tankDate(new Date(), this.hass.config.time_zone);
  }

  private async _loadCurves(): Promise<void> {
    try {
      const curves = await Promise.all(
        this.tank.channels.map((channel) => previewDay(this.hass, channel.entity_id, this.date, STEP_MINUTES)),
      );
      this._curves = Object.fromEntries(this.tank.channels.map((channel, index) => [channel.entity_id, curves[index]]));
      this._error = null;
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  private async _loadHistory(): Promise<void> {
    if (!this.hass || !this.tank) return;
    const since = new Date(Date.now() - 24 * 3600 * 1000);
    const entries = await Promise.all(
      this.tank.probes.map(async (probe) => {
        let history: Readings = { buckets: [] };
        try {
          history = await readings(this.hass, probe.entity_id, since, PROBE_BUCKETS);
        } catch {
          // A probe without readings yet draws no line; the view stays usable.
        }
        return [probe.entity_id, history] as [string, Readings];
      }),
    );
    this._history = Object.fromEntries(entries);
  }

  private _startLive(): void {
    this._stopLive();
    this._live = {};
    this._unsubscribe = subscribeOutputs(this.hass, this.tank.entry_id, (outputs) => {
      Object.assign(this._live, outputs);
      this._liveTimer ??= window.setTimeout(() => {
        this._liveTimer = null;
        this.requestUpdate();
      }, LIVE_REDRAW_MS);
    });
    this._unsubscribe.catch((error: unknown) => (this._error = errorMessage(error)));
  }

  private _stopLive(): void {
    const unsubscribe = this._unsubscribe;
    this._unsubscribe = null;
    void unsubscribe?.then((stop) => stop()).catch(() => undefined);
  }

  private _level(entityId: string): number | null {
    const live = this._live[entityId];
    if (live) return live.level;
    const state = this.hass.states[entityId];
    if (!state || state.state === "unavailable" || state.state === "unknown") return null;
    return state.state === "on" ? Math.round((Number(state.attributes.brightness ?? 0) / 255) * 1000) / 10 : 0;
  }

  private _fire(name: string, detail: Record<string, string> = {}): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private async _press(entityId: string | null): Promise<void> {
    if (!entityId) return;
    try {
      await this.hass.callService("button", "press", {}, { entity_id: entityId });
      this._error = null;
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  private async _stopEffect(entityId: string): Promise<void> {
    try {
      await this.hass.callService("bellas_reef", "stop_effect", {}, { entity_id: entityId });
      this._error = null;
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  protected render() {
    if (!this.tank) return nothing;
    const today = this.date === this._today();
    const now = today ? tankMinutes(new Date(), this.hass.config.time_zone) : null;
    const series: Series[] = this.tank.channels
      .filter((channel) => this._curves[channel.entity_id])
      .map((channel) => ({
        id: channel.entity_id,
        label: channel.name,
        color: roleColor(channel.role),
        points: dayPoints(this._curves[channel.entity_id].points),
      }));
    const markers = this.tank.channels.flatMap((channel) => {
      const level = this._level(channel.entity_id);
      return level === null ? [] : [{ id: channel.entity_id, color: roleColor(channel.role), level }];
    });
    const effects = this.tank.channels.filter((channel) => {
      const effect = this.hass.states[channel.entity_id]?.attributes.effect;
      return typeof effect === "string" && effect !== "off";
    });
    return html`
      ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      <section class="card" aria-labelledby="light-title">
        <div class="row spread">
          <h2 id="light-title">Light</h2>
          <div class="row">
            <label class="inline"
              >Day
              <input
                type="date"
                .value=${this.date}
                @change=${(event: Event) => (this.date = (event.target as HTMLInputElement).value || this._today())}
            /></label>
            ${today ? nothing : html`<button @click=${() => (this.date = this._today())}>Today</button>`}
          </div>
        </div>
        <reef-day-chart
          .series=${series}
          .markers=${markers}
          .now=${now}
          label=${`Light levels through ${this.date}`}
        ></reef-day-chart>
        <table class="channels">
          <thead>
            <tr>
              <th>Channel</th>
              <th>Now</th>
              <th class="wide">Program</th>
              <th><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            ${this.tank.channels.map((channel) => {
              const level = this._level(channel.entity_id);
              const effect = this.hass.states[channel.entity_id]?.attributes.effect;
              return html`<tr data-entity=${channel.entity_id}>
                <td><span class="swatch" style="background:${roleColor(channel.role)}"></span>${channel.name}</td>
                <td class="live" data-entity=${channel.entity_id}>${level === null ? "—" : `${level.toFixed(1)} %`}</td>
                <td class="wide">
                  ${channel.program.program}
                  ${typeof effect === "string" && effect !== "off" ? html`<span class="chip">${effect}</span>` : nothing}
                </td>
                <td>
                  <button
                    class="edit"
                    aria-label=${`Edit the program of ${channel.name}`}
                    @click=${() => this._fire("edit-channel", { entityId: channel.entity_id })}
                  >
                    Edit
                  </button>
                </td>
              </tr>`;
            })}
          </tbody>
        </table>
        <div class="row actions">
          ${effects.length
            ? html`<span class="muted">Effects running on ${effects.map((channel) => channel.name).join(", ")}</span>
                <button
                  class="stop-effects"
                  @click=${() =>
                    this.tank.stop_effects_button
                      ? this._press(this.tank.stop_effects_button)
                      : Promise.all(effects.map((channel) => this._stopEffect(channel.entity_id)))}
                >
                  Stop effects
                </button>`
            : nothing}
          <button class="add-board" @click=${() => this._fire("add-board")}>Add a board</button>
        </div>
      </section>
      <div class="columns">${this._renderProbes()} ${this._renderOutlets()}</div>
    `;
  }

  private _renderProbes() {
    const raised = this.tank.rules.filter((entityId) => this.hass.states[entityId]?.state === "on");
    return html`<section class="card" aria-labelledby="probes-title">
      <h2 id="probes-title">Water</h2>
      ${raised.length
        ? html`<ul class="alerts" role="alert">
            ${raised.map(
              (entityId) =>
                html`<li><span class="chip alert">Raised</span> ${this.hass.states[entityId]?.attributes.friendly_name ?? entityId}</li>`,
            )}
          </ul>`
        : html`<p class="muted">No rule is raised.</p>`}
      <table>
        <tbody>
          ${this.tank.probes.map((probe) => {
            const state = this.hass.states[probe.entity_id];
            const unit = state?.attributes.unit_of_measurement ?? "";
            return html`<tr data-entity=${probe.entity_id}>
              <td>${probe.name}</td>
              <td class="value">${state ? `${state.state} ${unit}`.trim() : "—"}</td>
              <td class="spark">${this._sparkline(this._history[probe.entity_id], probe.name)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>`;
  }

  private _sparkline(history: Readings | undefined, name: string) {
    const values = (history?.buckets ?? []).filter((bucket) => bucket.count > 0);
    if (values.length < 2) return html`<span class="muted">—</span>`;
    const low = Math.min(...values.map((bucket) => bucket.min));
    const high = Math.max(...values.map((bucket) => bucket.max));
    const x = linearScale([0, values.length - 1], [1, 119]);
    const y = linearScale(high > low ? [low, high] : [low - 1, high + 1], [29, 1]);
    const path = linePath(values.map((bucket, index) => ({ x: x(index), y: y(bucket.avg) })));
    return html`<svg width="120" height="30" viewBox="0 0 120 30" role="img" aria-label=${`${name}, last 24 hours`}>
      ${svg`<path d=${path} fill="none" stroke="var(--primary-color)" stroke-width="1.5"></path>`}
    </svg>`;
  }

  private _renderOutlets() {
    const feeding = this.tank.feed_mode ? this.hass.states[this.tank.feed_mode] : undefined;
    return html`<section class="card" aria-labelledby="outlets-title">
      <div class="row spread">
        <h2 id="outlets-title">Outlets</h2>
        <button class="primary feed" ?disabled=${!this.tank.feed_button} @click=${() => this._press(this.tank.feed_button)}>
          Feed
        </button>
      </div>
      ${feeding?.state === "on"
        ? html`<p class="chip feeding">Feeding until ${new Date(String(feeding.attributes.until)).toLocaleTimeString()}</p>`
        : nothing}
      <table>
        <tbody>
          ${this.tank.outlets.map((outlet) => {
            const state = this.hass.states[outlet.entity_id];
            const heldBy = state?.attributes.held_by;
            return html`<tr data-entity=${outlet.entity_id}>
              <td>${outlet.name}</td>
              <td class="state">${state?.state ?? "—"}</td>
              <td class="held">${typeof heldBy === "string" ? html`<span class="chip">${heldBy}</span>` : nothing}</td>
              <td>
                <button
                  aria-label=${`Edit the program of ${outlet.name}`}
                  @click=${() => this._fire("edit-outlet", { entityId: outlet.entity_id })}
                >
                  Program
                </button>
              </td>
            </tr>`;
          })}
        </tbody>
      </table>
    </section>`;
  }

  static styles = [
    panelStyles,
    css`
      .spread {
        justify-content: space-between;
      }
      .columns {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(320px, 1fr));
        gap: 0 16px;
      }
      .actions {
        margin-top: 12px;
        justify-content: flex-end;
      }
      .live {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
      }
      .alerts {
        list-style: none;
        padding: 0;
      }
      .visually-hidden {
        position: absolute;
        width: 1px;
        height: 1px;
        overflow: hidden;
        clip: rect(0 0 0 0);
      }
      @media (max-width: 600px) {
        .wide {
          display: none;
        }
        .columns {
          grid-template-columns: 1fr;
        }
      }
    `,
  ];
}

customElements.define("reef-tank-view", ReefTankView);

declare global {
  interface HTMLElementTagNameMap {
    "reef-tank-view": ReefTankView;
  }
}
