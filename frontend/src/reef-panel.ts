// <reef-panel>: the "Reef" entry of Home Assistant's sidebar. A tab per controller, its tank view, and the editors
// it opens. Home Assistant sets `hass` and `narrow` on it.
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import { tanks } from "./api.ts";
import { errorMessage, type HomeAssistant } from "./hass.ts";
import type { Tank } from "./plan.ts";
import { panelStyles } from "./styles.ts";
import "./add-board.ts";
import "./outlet-editor.ts";
import "./program-editor.ts";
import "./tank-view.ts";

/** How long the panel waits for a controller that is setting itself up again before it shows it as gone. */
const RELOAD_ATTEMPTS = 20;
const RELOAD_PAUSE_MS = 500;

type View = { kind: "tank" } | { kind: "channel" | "outlet"; entityId: string } | { kind: "board" };

export class ReefPanel extends LitElement {
  static properties = {
    hass: { attribute: false },
    narrow: { type: Boolean },
    _tanks: { state: true },
    _tank: { state: true },
    _view: { state: true },
    _error: { state: true },
  };

  declare hass: HomeAssistant;
  declare narrow: boolean;
  declare _tanks: Tank[] | null;
  declare _tank: string;
  declare _view: View;
  declare _error: string | null;
  private _plans = "";

  constructor() {
    super();
    this.narrow = false;
    this._tanks = null;
    this._tank = "";
    this._view = { kind: "tank" };
    this._error = null;
  }

  protected willUpdate(changed: PropertyValues): void {
    if (!changed.has("hass") || !this.hass) return;
    // A plan changed elsewhere (a service call, an automation, another browser) shows here too.
    const plans = this._planSignature();
    if (!changed.get("hass") || (plans !== this._plans && this._view.kind === "tank")) void this._load();
    this._plans = plans;
  }

  private _planSignature(): string {
    const channels = (this._tanks ?? []).flatMap((tank) => tank.channels.map((channel) => channel.entity_id));
    return channels
      .map((entityId) => {
        const attributes = this.hass.states[entityId]?.attributes ?? {};
        return JSON.stringify([entityId, attributes.program, attributes.layers, attributes.override_until, attributes.effect]);
      })
      .join();
  }

  private async _load(attempt = 0): Promise<void> {
    try {
      const found = await tanks(this.hass);
      if (this._tank && !found.some((tank) => tank.entry_id === this._tank) && attempt < RELOAD_ATTEMPTS) {
        // The controller is setting itself up again (a channel was just added): keep showing it meanwhile.
        window.setTimeout(() => void this._load(attempt + 1), RELOAD_PAUSE_MS);
        return;
      }
      this._tanks = found;
      if (!found.some((tank) => tank.entry_id === this._tank)) this._tank = found[0]?.entry_id ?? "";
      this._error = null;
    } catch (error) {
      this._error = errorMessage(error);
    }
  }

  private _done = async (): Promise<void> => {
    await this._load();
    this._view = { kind: "tank" };
  };

  protected render() {
    const tank = this._tanks?.find((candidate) => candidate.entry_id === this._tank);
    return html`
      <header class="toolbar">
        <ha-menu-button .hass=${this.hass} .narrow=${this.narrow}></ha-menu-button>
        ${this._view.kind === "tank"
          ? html`<h1>Reef</h1>`
          : html`<button class="back" aria-label="Back to the tank" @click=${() => (this._view = { kind: "tank" })}>
                ←
              </button>
              <h1>${tank?.title ?? "Reef"}</h1>`}
      </header>
      <main>
        ${this._error ? html`<p class="error" role="alert">${this._error}</p>` : nothing}
        ${this._tanks === null
          ? html`<p class="muted">Loading…</p>`
          : this._tanks.length === 0
            ? html`<p class="muted">No controller is set up yet: add Bella's Reef under Settings → Devices & services.</p>`
            : html`${this._tanks.length > 1 && this._view.kind === "tank"
                  ? html`<nav class="row tabs" aria-label="Controllers">
                      ${this._tanks.map(
                        (candidate) =>
                          html`<button
                            class=${candidate.entry_id === this._tank ? "primary" : ""}
                            aria-pressed=${candidate.entry_id === this._tank}
                            @click=${() => (this._tank = candidate.entry_id)}
                          >
                            ${candidate.title}
                          </button>`,
                      )}
                    </nav>`
                  : nothing}
                ${tank ? this._renderView(tank) : nothing}`}
      </main>
    `;
  }

  private _renderView(tank: Tank) {
    switch (this._view.kind) {
      case "tank":
        return html`<reef-tank-view
          .hass=${this.hass}
          .tank=${tank}
          @edit-channel=${(event: CustomEvent<{ entityId: string }>) =>
            (this._view = { kind: "channel", entityId: event.detail.entityId })}
          @edit-outlet=${(event: CustomEvent<{ entityId: string }>) =>
            (this._view = { kind: "outlet", entityId: event.detail.entityId })}
          @add-board=${() => (this._view = { kind: "board" })}
        ></reef-tank-view>`;
      case "channel":
        return html`<reef-program-editor
          .hass=${this.hass}
          .tank=${tank}
          entity-id=${this._view.entityId}
          @saved=${this._done}
          @cancel=${() => (this._view = { kind: "tank" })}
        ></reef-program-editor>`;
      case "outlet":
        return html`<reef-outlet-editor
          .hass=${this.hass}
          entity-id=${this._view.entityId}
          @saved=${this._done}
          @cancel=${() => (this._view = { kind: "tank" })}
        ></reef-outlet-editor>`;
      case "board":
        return html`<reef-add-board
          .hass=${this.hass}
          .tank=${tank}
          @saved=${this._done}
          @cancel=${() => (this._view = { kind: "tank" })}
        ></reef-add-board>`;
    }
  }

  static styles = [
    panelStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
        background: var(--primary-background-color);
      }
      .toolbar {
        display: flex;
        align-items: center;
        gap: 8px;
        height: var(--header-height, 56px);
        padding: 0 12px;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        border-bottom: var(--app-header-border-bottom, none);
        box-sizing: border-box;
      }
      .toolbar h1 {
        font-size: 1.25rem;
        font-weight: 400;
        margin: 0;
      }
      .toolbar .back {
        color: inherit;
        border-color: transparent;
        font-size: 1.25rem;
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
        box-sizing: border-box;
      }
      .tabs {
        margin-bottom: 16px;
      }
      @media (max-width: 600px) {
        main {
          padding: 8px;
        }
      }
    `,
  ];
}

customElements.define("reef-panel", ReefPanel);

declare global {
  interface HTMLElementTagNameMap {
    "reef-panel": ReefPanel;
  }
}
