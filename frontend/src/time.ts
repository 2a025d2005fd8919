// The tank's calendar: dates and clock times in Home Assistant's time zone, whatever the browser's is.

function parts(date: Date, timeZone: string): Record<string, string> {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return Object.fromEntries(format.formatToParts(date).map((part) => [part.type, part.value]));
}

/** The tank's date ("YYYY-MM-DD") at `date`. */
export function tankDate(date: Date, timeZone: string): string {
  const { year, month, day } = parts(date, timeZone);
  return `${year}-${month}-${day}`;
}

/** Minutes since the tank's midnight at `date`. */
export function tankMinutes(date: Date, timeZone: string): number {
  const { hour, minute } = parts(date, timeZone);
  return Number(hour) * 60 + Number(minute) + date.getSeconds() / 60;
}
