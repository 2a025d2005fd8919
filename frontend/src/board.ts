// Rows of the "add a board" table: one channel per output, prefilled with the outputs no channel uses yet. Pure.

export const OUTPUTS_PER_BOARD = 16;
export const ROLES = [
  "royal_blue",
  "blue",
  "white",
  "cool_white",
  "violet",
  "uv",
  "red",
  "green",
  "moon",
  "refugium",
  "other",
] as const;
export const CURVES = ["cie1931", "gamma22", "linear"] as const;

export interface BoardRow {
  add: boolean;
  name: string;
  output: number;
  role: string;
  curve: string;
  min_output: number;
  max_output: number;
}

/** A row per output of a board; outputs already in use are left out, the first `count` free ones are ticked. */
export function boardRows(used: readonly number[], count: number, boardName: string): BoardRow[] {
  return Array.from({ length: OUTPUTS_PER_BOARD }, (_, output) => output)
    .filter((output) => !used.includes(output))
    .map((output, index) => ({
      add: index < count,
      name: `${boardName} ${output + 1}`,
      output,
      role: "white",
      curve: "cie1931",
      min_output: 0,
      max_output: 100,
    }));
}

/**
 * The values a flow step asks for, out of everything the keeper entered: a step only gets the fields its form
 * has (a subentry flow refuses keys it does not know).
 */
export function stepInput(fields: readonly { name: string }[], values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(fields.filter((field) => field.name in values).map((field) => [field.name, values[field.name]]));
}
