// Expand an iCalendar file with Mozilla's ical.js, as Thunderbird does: every occurrence
// between two dates, one JSON object per line.
//   node ical_expand.mjs <path to ical.js module> <file.ics> <from YYYY-MM-DD> <until YYYY-MM-DD>
// Each line: {"uid", "summary", "status", "sequence", "allDay", "day" (local date),
// "start" (seconds since 1970, UTC), "tzid"}.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath, file, from, until] = process.argv.slice(2);
const ICAL = (await import(pathToFileURL(modulePath).href)).default;

const root = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
for (const tz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(tz);
}
const start = ICAL.Time.fromDateString(from);
const end = ICAL.Time.fromDateString(until);

function emit(event, time) {
  const status = event.component.getFirstPropertyValue("status");
  const sequence = event.component.getFirstPropertyValue("sequence");
  process.stdout.write(JSON.stringify({
    uid: event.uid,
    summary: event.summary,
    status: status || null,
    sequence: sequence === null ? null : Number(sequence),
    allDay: time.isDate,
    day: `${time.year}-${String(time.month).padStart(2, "0")}-${String(time.day).padStart(2, "0")}`,
    start: time.toUnixTime(),
    tzid: time.zone ? time.zone.tzid : null,
  }) + "\n");
}

for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  if (event.isRecurrenceException()) continue; // an override is reached through its master
  if (!event.isRecurring()) {
    if (event.startDate.compare(start) >= 0 && event.startDate.compare(end) < 0) emit(event, event.startDate);
    continue;
  }
  const it = event.iterator();
  for (let next = it.next(); next && next.compare(end) < 0; next = it.next()) {
    if (next.compare(start) >= 0) emit(event, next);
  }
}
