/**
 * When a conversation was last changed, as the list shows it: the time for today, the date before.
 * The formatters are made once, when this module loads: made per call (toLocaleTimeString with
 * options), the first one loaded the locale's data in the middle of a reply, a 50 ms main-thread
 * task on the bench's 2 cores, and the list formats each entry again whenever the active
 * conversation is saved (every second while a reply streams).
 */
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateFormat = new Intl.DateTimeFormat();

const sameDay = (a: Date, b: Date): boolean => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();

export function whenChanged(t: number, now: Date = new Date()): string {
  const d = new Date(t);
  return sameDay(d, now) ? timeFormat.format(d) : dateFormat.format(d);
}
