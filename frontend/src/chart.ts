// <reef-day-chart>: one day of light levels, 00:00 to 24:00 by 0 to 100 %, drawn in SVG. In edit mode a
// schedule's points are handles: click the plot to add one, drag or use the arrow keys to move one, Delete to
// remove it. The chart only reports what the keeper did; its owner changes the points.
import { css, html, LitElement, nothing, svg, type PropertyValues } from "lit";
import { DAY_MINUTES, formatTime, linearScale, linePath, ticks, type Scale } from "./scale.ts";
import { LEVEL_STEP, MINUTE_STEP } from "./points.ts";

export interface Series {
  id: string;
  label: string;
  color: string;
  points: { minute: number; level: number }[];
}

export interface Marker {
  id: string;
  color: string;
  level: number;
}

export interface Handle {
  minute: number;
  level: number;
}

const MARGIN = { left: 40, right: 12, top: 12, bottom: 24 };

export class ReefDayChart extends LitElement {
  static properties = {
    series: { attribute: false },
    handles: { attribute: false },
    markers: { attribute: false },
    now: { type: Number },
    selected: { type: Number },
    label: {},
    height: { type: Number },
    _width: { state: true },
  };

  declare series: Series[];
  declare handles: Handle[] | null;
  declare markers: Marker[];
  declare now: number | null;
  declare selected: number | null;
  declare label: string;
  declare height: number;
  declare _width: number;
  private _dragging: number | null = null;
  private _resize = new ResizeObserver((entries) => {
    const width = Math.floor(entries[0].contentRect.width);
    if (width > 0 && width !== this._width) this._width = width;
  });

  constructor() {
    super();
    this.series = [];
    this.handles = null;
    this.markers = [];
    this.now = null;
    this.selected = null;
    this.label = "";
    this.height = 240;
    this._width = 0;
  }

  connectedCallback(): void {
    super.connectedCallback();
    this._resize.observe(this);
  }

  disconnectedCallback(): void {
    this._resize.disconnect();
    super.disconnectedCallback();
  }

  private get _x(): Scale {
    return linearScale([0, DAY_MINUTES], [MARGIN.left, Math.max(MARGIN.left + 1, this._width - MARGIN.right)]);
  }

  private get _y(): Scale {
    return linearScale([0, 100], [this.height - MARGIN.bottom, MARGIN.top]);
  }

  protected render() {
    if (!this._width) return html`<div style="height:${this.height}px"></div>`;
    const x = this._x;
    const y = this._y;
    const [left, right] = x.range;
    const [bottom, top] = y.range;
    const hours = ticks(0, DAY_MINUTES, this._width < 500 ? 360 : 180);
    return html`<svg
      width=${this._width}
      height=${this.height}
      viewBox="0 0 ${this._width} ${this.height}"
      role=${this.handles ? "group" : "img"}
      aria-label=${this.label}
      @pointermove=${this._pointerMove}
      @pointerup=${this._pointerUp}
      @pointercancel=${this._pointerUp}
    >
      <rect
        class="plot ${this.handles ? "editable" : ""}"
        x=${left}
        y=${top}
        width=${right - left}
        height=${bottom - top}
        @click=${this._plotClick}
      ></rect>
      ${ticks(0, 100, 25).map(
        (level) =>
          svg`<line class="grid" x1=${left} x2=${right} y1=${y(level)} y2=${y(level)}></line>
            <text class="axis" x=${left - 6} y=${y(level) + 4} text-anchor="end">${level}</text>`,
      )}
      ${hours.map(
        (minute) =>
          svg`<line class="grid" x1=${x(minute)} x2=${x(minute)} y1=${top} y2=${bottom}></line>
            <text class="axis" x=${x(minute)} y=${bottom + 16} text-anchor="middle">${formatTime(minute).slice(0, 2)}</text>`,
      )}
      ${this.series.map(
        (series) =>
          svg`<path class="curve" data-series=${series.id} stroke=${series.color}
            d=${linePath(series.points.map((point) => ({ x: x(point.minute), y: y(point.level) })))}>
            <title>${series.label}</title></path>`,
      )}
      ${this.now === null
        ? nothing
        : svg`<line class="now" x1=${x(this.now)} x2=${x(this.now)} y1=${top} y2=${bottom}></line>
          ${this.markers.map(
            (marker) =>
              svg`<circle class="marker" data-series=${marker.id} cx=${x(this.now ?? 0)} cy=${y(marker.level)} r="4"
                fill=${marker.color}></circle>`,
          )}`}
      ${(this.handles ?? []).map(
        (handle, index) =>
          svg`<circle
            class="handle ${index === this.selected ? "selected" : ""}"
            data-index=${index}
            cx=${x(handle.minute)}
            cy=${y(handle.level)}
            r="8"
            tabindex="0"
            role="slider"
            aria-label=${`Point ${index + 1}: ${formatTime(handle.minute)}, ${handle.level} %`}
            aria-valuemin="0"
            aria-valuemax="100"
            aria-valuenow=${handle.level}
            aria-valuetext=${`${formatTime(handle.minute)}, ${handle.level} %`}
            @pointerdown=${(event: PointerEvent) => this._pointerDown(event, index)}
            @keydown=${(event: KeyboardEvent) => this._key(event, index)}
            @focus=${() => this._emit("point-select", { index })}
          ></circle>`,
      )}
    </svg>`;
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has("selected") && this.selected !== null && this.matches(":focus-within")) {
      this.renderRoot.querySelector<SVGCircleElement>(`circle.handle[data-index="${this.selected}"]`)?.focus();
    }
  }

  private _emit(name: string, detail: Record<string, number>): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  private _at(event: MouseEvent): { minute: number; level: number } {
    const box = this.renderRoot.querySelector("svg")!.getBoundingClientRect();
    return { minute: this._x.invert(event.clientX - box.left), level: this._y.invert(event.clientY - box.top) };
  }

  private _plotClick = (event: MouseEvent): void => {
    if (this.handles) this._emit("point-add", this._at(event));
  };

  private _pointerDown(event: PointerEvent, index: number): void {
    // No text selection or scrolling while dragging; the handle still takes focus for its keys.
    event.preventDefault();
    const handle = event.target as SVGCircleElement;
    handle.focus();
    handle.setPointerCapture(event.pointerId);
    this._dragging = index;
    this._emit("point-select", { index });
  }

  private _pointerMove = (event: PointerEvent): void => {
    if (this._dragging !== null) this._emit("point-move", { index: this._dragging, ...this._at(event) });
  };

  private _pointerUp = (): void => {
    this._dragging = null;
  };

  private _key(event: KeyboardEvent, index: number): void {
    const handle = this.handles?.[index];
    if (!handle) return;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-MINUTE_STEP, 0],
      ArrowRight: [MINUTE_STEP, 0],
      ArrowUp: [0, LEVEL_STEP],
      ArrowDown: [0, -LEVEL_STEP],
    };
    if (event.key in moves) {
      const [minutes, levels] = moves[event.key];
      this._emit("point-move", { index, minute: handle.minute + minutes, level: handle.level + levels });
    } else if (event.key === "Delete" || event.key === "Backspace") {
      this._emit("point-remove", { index });
    } else {
      return;
    }
    event.preventDefault();
  }

  static styles = css`
    :host {
      display: block;
      width: 100%;
      touch-action: none;
      user-select: none;
    }
    svg {
      display: block;
      overflow: visible;
    }
    .plot {
      fill: transparent;
    }
    .plot.editable {
      cursor: crosshair;
    }
    .grid {
      stroke: var(--divider-color, rgba(127, 127, 127, 0.3));
      stroke-width: 1;
    }
    .axis {
      fill: var(--secondary-text-color);
      font-size: 11px;
    }
    .curve {
      fill: none;
      stroke-width: 2;
      stroke-linejoin: round;
      pointer-events: none;
    }
    .now {
      stroke: var(--primary-color);
      stroke-dasharray: 4 3;
      pointer-events: none;
    }
    .marker {
      stroke: var(--card-background-color, #fff);
      stroke-width: 1.5;
      pointer-events: none;
    }
    .handle {
      fill: var(--card-background-color, #fff);
      stroke: var(--primary-color);
      stroke-width: 3;
      cursor: grab;
      outline: none;
    }
    .handle.selected,
    .handle:focus-visible {
      fill: var(--primary-color);
    }
  `;
}

customElements.define("reef-day-chart", ReefDayChart);

declare global {
  interface HTMLElementTagNameMap {
    "reef-day-chart": ReefDayChart;
  }
}
