// <reef-outlet-editor>: an outlet's daily on/off windows and its on/off cycle, saved through set_outlet_program.
import { css, html, LitElement, nothing } from "lit";
import { DOMAIN } from "./api.ts";
import { errorMessage, type HomeAssistant } from "./hass.ts";
import { panelStyles } from "./styles.ts";

interface Window {
  on: string;
  off: string;
}

interface OutletProgram {
  windows: Window[];
  cycle_on_seconds: number;
  cycle_off_seconds: number;
}

export class ReefOutletEditor extends LitElement {
  static properties = {
    hass: { attribute: false },
    entityId: { attribute: "entity-id" },
    _program: { state: true },
    _error: { state: true },
  };

  declare hass: HomeAssistant;
  declare entityId: string;
  declare _program: OutletProgram;
  declare _error: string | null;
  private _loaded = "";

  constructor() {
    super();
    this._error = null;
  }

  protected willUpdate(): void {
    if (this.hass && this._loaded !== this.entityId) {
      this._loaded = this.entityId;
      const saved = this.hass.states[this.entityId]?.attributes.program as OutletProgram | null | undefined;
      this._program = saved
        ? { ...saved, windows: saved.windows.map((window) => ({ on: window.on.slice(0, 5), off: window.off.slice(0, 5) })) }
        : { windows: [], cycle_on_seconds: 0, cycle_off_seconds: 0 };
    }
  }

  private _fire(name: string): void {
    this.dispatchEvent(new CustomEvent(name, { detail: { entityId: this.entityId }, bubbles: true, composed: true }));
  }

  private async _save(): Promise<void> {
    try {
      await this.hass.callService(DOMAIN, "set_outlet_program", { ...this._program }, { entity_id: this.entityId });
      this._error = null;
      this._fire("saved");
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  private _setWindow(index: number, key: keyof Window, value: string): void {
    const windows = this._program.windows.map((window, position) => (position === index ? { ...window, [key]: value } : window));
    this._program = { ...this._program, windows };
  }

  protected render() {
    if (!this._program) return nothing;
    const name = this.hass.states[this.entityId]?.attributes.friendly_name ?? this.entityId;
    const program = this._program;
    return html`<section class="card" aria-labelledby="outlet-title">
        <h2 id="outlet-title">${name}</h2>
        <h3>On each day</h3>
        ${program.windows.length ? nothing : html`<p class="muted">No window: the outlet is not switched by time of day.</p>`}
        ${program.windows.map(
          (window, index) => html`<div class="row">
            <label class="inline"
              >From
              <input type="time" .value=${window.on} @change=${(event: Event) => this._setWindow(index, "on", (event.target as HTMLInputElement).value)}
            /></label>
            <label class="inline"
              >until
              <input type="time" .value=${window.off} @change=${(event: Event) => this._setWindow(index, "off", (event.target as HTMLInputElement).value)}
            /></label>
            <button
              aria-label=${`Remove the window from ${window.on}`}
              @click=${() =>
                (this._program = { ...this._program, windows: this._program.windows.filter((_, position) => position !== index) })}
            >
              Remove
            </button>
          </div>`,
        )}
        <button
          @click=${() => (this._program = { ...this._program, windows: [...this._program.windows, { on: "08:00", off: "20:00" }] })}
        >
          Add a window
        </button>
        <h3>Cycle</h3>
        <div class="fields">
          ${(["cycle_on_seconds", "cycle_off_seconds"] as const).map(
            (key) => html`<label
              >${key === "cycle_on_seconds" ? "On for (s)" : "Then off for (s)"}
              <input
                type="number"
                min="0"
                .value=${String(program[key])}
                @input=${(event: Event) =>
                  (this._program = { ...this._program, [key]: Number((event.target as HTMLInputElement).value) })}
            /></label>`,
          )}
        </div>
        ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
      </section>
      <div class="row buttons">
        <button @click=${() => this._fire("cancel")}>Cancel</button>
        <button class="primary" @click=${() => void this._save()}>Save</button>
      </div>`;
  }

  static styles = [
    panelStyles,
    css`
      .row {
        margin-bottom: 8px;
      }
      .buttons {
        justify-content: flex-end;
      }
    `,
  ];
}

customElements.define("reef-outlet-editor", ReefOutletEditor);

declare global {
  interface HTMLElementTagNameMap {
    "reef-outlet-editor": ReefOutletEditor;
  }
}
