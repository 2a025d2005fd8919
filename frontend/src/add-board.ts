// <reef-add-board>: a whole fixture at once. The board's outputs in one table; each ticked row becomes a channel
// through the channel subentry flow, exactly as if added one by one, so every check of that flow applies.
import { css, html, LitElement, nothing } from "lit";
import { boardRows, type BoardRow, CURVES, ROLES, stepInput } from "./board.ts";
import { errorMessage, type HomeAssistant } from "./hass.ts";
import type { Tank } from "./plan.ts";
import { panelStyles } from "./styles.ts";

const FLOW = "config/config_entries/subentries/flow";
const DRIVERS = ["pca9685", "simulated"] as const;

interface FlowResult {
  type: string;
  flow_id: string;
  step_id?: string;
  data_schema?: { name: string }[];
  errors?: Record<string, string> | null;
  reason?: string;
}

export class ReefAddBoard extends LitElement {
  static properties = {
    hass: { attribute: false },
    tank: { attribute: false },
    _driver: { state: true },
    _board: { state: true },
    _rows: { state: true },
    _status: { state: true },
    _busy: { state: true },
  };

  declare hass: HomeAssistant;
  declare tank: Tank;
  declare _driver: string;
  declare _board: { bus: number; address: number; frequency: number; override_minutes: number };
  declare _rows: BoardRow[];
  declare _status: string[];
  declare _busy: boolean;
  private _messages: Record<string, string> = {};

  constructor() {
    super();
    this._driver = "pca9685";
    this._board = { bus: 1, address: 64, frequency: 1000, override_minutes: 60 };
    this._rows = [];
    this._status = [];
    this._busy = false;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this._refill();
    void this.hass
      .callWS<{ resources: Record<string, string> }>({
        type: "frontend/get_translations",
        language: this.hass.language,
        category: "config_subentries",
        integration: ["bellas_reef"],
      })
      .then((reply) => (this._messages = reply.resources))
      .catch(() => undefined);
  }

  private _refill(): void {
    const used = this.tank.channels
      .filter((channel) => channel.driver === this._driver && channel.address === this._board.address)
      .map((channel) => channel.output ?? -1);
    this._rows = boardRows(used, 4, `Board ${this._board.address.toString(16)}h`);
  }

  private _setRow(index: number, change: Partial<BoardRow>): void {
    this._rows = this._rows.map((row, position) => (position === index ? { ...row, ...change } : row));
  }

  private _message(key: string): string {
    return this._messages[`component.bellas_reef.config_subentries.channel.error.${key}`] ?? key;
  }

  private async _addRow(row: BoardRow): Promise<string | null> {
    const values: Record<string, unknown> = { ...this._board, ...row, next_step_id: this._driver };
    let result = await this.hass.callApi<FlowResult>("POST", FLOW, { handler: [this.tank.entry_id, "channel"] });
    for (let step = 0; step < 5 && (result.type === "form" || result.type === "menu"); step++) {
      if (result.errors && Object.keys(result.errors).length) {
        await this.hass.callApi("DELETE", `${FLOW}/${result.flow_id}`).catch(() => undefined);
        return Object.values(result.errors).map((key) => this._message(key)).join(" ");
      }
      const input = result.type === "menu" ? { next_step_id: this._driver } : stepInput(result.data_schema ?? [], values);
      result = await this.hass.callApi<FlowResult>("POST", `${FLOW}/${result.flow_id}`, input);
    }
    return result.type === "create_entry" ? null : (result.reason ?? result.type);
  }

  private async _add(): Promise<void> {
    this._busy = true;
    const status: string[] = [];
    for (const row of this._rows.filter((candidate) => candidate.add)) {
      try {
        const problem = await this._addRow(row);
        status.push(problem === null ? `${row.name}: added` : `${row.name}: ${problem}`);
      } catch (error) {
        status.push(`${row.name}: ${errorMessage(error)}`);
      }
      this._status = [...status];
    }
    this._busy = false;
    if (status.every((line) => line.endsWith(": added"))) {
      this.dispatchEvent(new CustomEvent("saved", { bubbles: true, composed: true }));
    }
  }

  protected render() {
    const board = this._board;
    const numberField = (key: keyof typeof board, label: string) =>
      html`<label
        >${label}
        <input
          type="number"
          name=${key}
          .value=${String(board[key])}
          @change=${(event: Event) => {
            this._board = { ...this._board, [key]: Number((event.target as HTMLInputElement).value) };
            if (key === "address") this._refill();
          }}
      /></label>`;
    return html`<section class="card" aria-labelledby="board-title">
        <h2 id="board-title">Add a board</h2>
        <div class="fields">
          <label
            >Driver
            <select
              name="driver"
              @change=${(event: Event) => {
                this._driver = (event.target as HTMLSelectElement).value;
                this._refill();
              }}
            >
              ${DRIVERS.map((driver) => html`<option ?selected=${driver === this._driver}>${driver}</option>`)}
            </select></label
          >
          ${this._driver === "pca9685" ? numberField("bus", "I2C bus") : nothing} ${numberField("address", "Address")}
          ${this._driver === "pca9685" ? numberField("frequency", "Frequency (Hz)") : nothing}
          ${numberField("override_minutes", "Manual change holds (min)")}
        </div>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Add</th>
                <th>Output</th>
                <th>Name</th>
                <th>Role</th>
                <th>Curve</th>
                <th>Min (%)</th>
                <th>Max (%)</th>
              </tr>
            </thead>
            <tbody>
              ${this._rows.map(
                (row, index) => html`<tr>
                  <td>
                    <input
                      type="checkbox"
                      aria-label=${`Add output ${row.output}`}
                      .checked=${row.add}
                      @change=${(event: Event) => this._setRow(index, { add: (event.target as HTMLInputElement).checked })}
                    />
                  </td>
                  <td>${row.output}</td>
                  <td>
                    <input
                      aria-label=${`Name of output ${row.output}`}
                      .value=${row.name}
                      @input=${(event: Event) => this._setRow(index, { name: (event.target as HTMLInputElement).value })}
                    />
                  </td>
                  <td>
                    <select
                      aria-label=${`Role of output ${row.output}`}
                      @change=${(event: Event) => this._setRow(index, { role: (event.target as HTMLSelectElement).value })}
                    >
                      ${ROLES.map((role) => html`<option ?selected=${role === row.role}>${role}</option>`)}
                    </select>
                  </td>
                  <td>
                    <select
                      aria-label=${`Curve of output ${row.output}`}
                      @change=${(event: Event) => this._setRow(index, { curve: (event.target as HTMLSelectElement).value })}
                    >
                      ${CURVES.map((curve) => html`<option ?selected=${curve === row.curve}>${curve}</option>`)}
                    </select>
                  </td>
                  ${(["min_output", "max_output"] as const).map(
                    (key) => html`<td>
                      <input
                        type="number"
                        class="short"
                        aria-label=${`${key === "min_output" ? "Minimum" : "Maximum"} of output ${row.output}`}
                        .value=${String(row[key])}
                        @change=${(event: Event) => this._setRow(index, { [key]: Number((event.target as HTMLInputElement).value) })}
                      />
                    </td>`,
                  )}
                </tr>`,
              )}
            </tbody>
          </table>
        </div>
        ${this._status.length ? html`<ul class="status" role="status">${this._status.map((line) => html`<li>${line}</li>`)}</ul>` : nothing}
      </section>
      <div class="row buttons">
        <button @click=${() => this.dispatchEvent(new CustomEvent("cancel", { bubbles: true, composed: true }))}>Cancel</button>
        <button class="primary" ?disabled=${this._busy || !this._rows.some((row) => row.add)} @click=${() => void this._add()}>
          Add the channels
        </button>
      </div>`;
  }

  static styles = [
    panelStyles,
    css`
      .scroll {
        overflow-x: auto;
        margin-top: 12px;
      }
      .short {
        width: 5em;
      }
      .buttons {
        justify-content: flex-end;
      }
    `,
  ];
}

customElements.define("reef-add-board", ReefAddBoard);

declare global {
  interface HTMLElementTagNameMap {
    "reef-add-board": ReefAddBoard;
  }
}
