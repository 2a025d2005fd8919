// The part of Home Assistant's frontend object the panel uses (HA passes it to every panel as `hass`).

export interface HassEntity {
  entity_id: string;
  state: string;
  attributes: Record<string, unknown> & { friendly_name?: string; unit_of_measurement?: string };
  last_changed: string;
}

export interface Connection {
  subscribeMessage<T>(callback: (message: T) => void, message: Record<string, unknown>): Promise<() => Promise<void>>;
}

export interface HomeAssistant {
  states: Record<string, HassEntity | undefined>;
  connection: Connection;
  language: string;
  config: { time_zone: string; latitude: number; longitude: number };
  callWS<T>(message: Record<string, unknown>): Promise<T>;
  callService(
    domain: string,
    service: string,
    data?: Record<string, unknown>,
    target?: Record<string, unknown>,
  ): Promise<unknown>;
  callApi<T>(method: "GET" | "POST" | "DELETE", path: string, data?: Record<string, unknown>): Promise<T>;
}

/** The message of an error from a WebSocket command or a service call (HA sends `message`, already in words). */
export function errorMessage(error: unknown): string {
  if (error && typeof error === "object") {
    const { message, body } = error as { message?: unknown; body?: { message?: unknown } };
    if (typeof message === "string") return message;
    if (body && typeof body.message === "string") return body.message;
  }
  return String(error);
}
