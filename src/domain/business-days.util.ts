/**
 * Business-day arithmetic on the portal's local calendar.
 *
 * A sales team thinks in local working days: a deal that entered a stage on Friday evening in
 * Los Angeles is one business day old on Monday, whatever the UTC clock says. So every count here
 * converts instants to local calendar dates of an IANA time zone first (Intl, no library), and
 * only then counts days.
 */

export interface BusinessCalendar {
  /** IANA time zone of the portal, e.g. "America/New_York". */
  timeZone: string;
  /** Local dates (YYYY-MM-DD) that are not worked. */
  holidays: readonly string[];
}

/** A local calendar date as a day number: days since 1970-01-01, so that date arithmetic is integer maths. */
type DayNumber = number;

const MS_PER_DAY = 86_400_000;
const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;
const LOCAL_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
/** 1969-12-29 was a Monday: counting weekdays from a Monday keeps the week maths simple. */
const ANCHOR_MONDAY: DayNumber = -3;

// Building an Intl.DateTimeFormat is costly and sweeps evaluate thousands of deals in one zone.
const formatterByTimeZone = new Map<string, Intl.DateTimeFormat>();

function getFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatterByTimeZone.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatterByTimeZone.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    getFormatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface LocalDateTime {
  day: DayNumber;
  /** Milliseconds since local midnight. */
  timeOfDayMs: number;
}

function readLocalDateTime(instant: Date, timeZone: string): LocalDateTime {
  const localMs = instant.getTime() + utcOffsetMs(instant.getTime(), timeZone);
  const day = Math.floor(localMs / MS_PER_DAY);
  return { day, timeOfDayMs: localMs - day * MS_PER_DAY };
}

/**
 * formatToParts is the slow part of every stall verdict (a sweep asks it a dozen times per deal).
 * Offsets change only at a zone's transitions, which fall on quarter hours: when a quarter hour starts
 * and ends on the same offset, every instant inside it has that offset, so it is asked once per quarter
 * hour and zone. A quarter hour that holds a transition is never cached and always asked exactly.
 */
const OFFSET_BUCKET_MS = 15 * MS_PER_MINUTE;
const MAX_CACHED_OFFSETS = 10_000;
const offsetByBucket = new Map<string, number | null>();

function utcOffsetMs(epochMs: number, timeZone: string): number {
  const bucketStart = Math.floor(epochMs / OFFSET_BUCKET_MS) * OFFSET_BUCKET_MS;
  const key = `${timeZone}|${bucketStart}`;
  let offset = offsetByBucket.get(key);
  if (offset === undefined) {
    const atStart = exactUtcOffsetMs(bucketStart, timeZone);
    const atEnd = exactUtcOffsetMs(bucketStart + OFFSET_BUCKET_MS - 1000, timeZone);
    offset = atStart === atEnd ? atStart : null;
    if (offsetByBucket.size >= MAX_CACHED_OFFSETS) offsetByBucket.clear();
    offsetByBucket.set(key, offset);
  }
  return offset ?? exactUtcOffsetMs(epochMs, timeZone);
}

/** Local wall-clock time minus UTC, at one instant (whole seconds: no zone offset has milliseconds). */
function exactUtcOffsetMs(epochMs: number, timeZone: string): number {
  const fields: Record<string, number> = {};
  for (const part of getFormatter(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const wallClockMs = Date.UTC(
    fields.year ?? 1970,
    (fields.month ?? 1) - 1,
    fields.day ?? 1,
    fields.hour ?? 0,
    fields.minute ?? 0,
    fields.second ?? 0,
  );
  return wallClockMs - (epochMs - (((epochMs % 1000) + 1000) % 1000));
}

function toDayNumber(year: number, month: number, day: number): DayNumber {
  return Math.floor(Date.UTC(year, month - 1, day) / MS_PER_DAY);
}

function parseLocalDate(value: string): DayNumber | null {
  const match = LOCAL_DATE_PATTERN.exec(value);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const dayNumber = toDayNumber(year, month, day);
  // Date.UTC rolls 2026-02-30 over to March: a real date survives the round trip.
  return formatDayNumber(dayNumber) === value ? dayNumber : null;
}

function formatDayNumber(day: DayNumber): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function isValidLocalDate(value: string): boolean {
  return parseLocalDate(value) !== null;
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function formatLocalDate(instant: Date, timeZone: string): string {
  return formatDayNumber(readLocalDateTime(instant, timeZone).day);
}

function modulo(value: number, divisor: number): number {
  return ((value % divisor) + divisor) % divisor;
}

/** 0 = Monday ... 6 = Sunday. */
function weekdayIndex(day: DayNumber): number {
  return modulo(day - ANCHOR_MONDAY, 7);
}

function isWeekend(day: DayNumber): boolean {
  return weekdayIndex(day) >= 5;
}

function toHolidaySet(calendar: BusinessCalendar): Set<DayNumber> {
  const days = new Set<DayNumber>();
  for (const holiday of calendar.holidays) {
    const day = parseLocalDate(holiday);
    if (day !== null) days.add(day);
  }
  return days;
}

/** Weekdays from the anchor Monday up to and including `day`; differences of it count weekdays in a range. */
function countWeekdaysThrough(day: DayNumber): number {
  const daysSinceAnchor = day - ANCHOR_MONDAY + 1;
  return 5 * Math.floor(daysSinceAnchor / 7) + Math.min(modulo(daysSinceAnchor, 7), 5);
}

/**
 * Whole business days elapsed from `from` to `to`: the business days among the local dates after
 * `from`'s date, up to and including `to`'s date. A deal entered on Friday is 1 business day old on
 * Monday; the time of day does not matter. Zero when `to` is not after `from`.
 */
export function countBusinessDaysBetween(from: Date, to: Date, calendar: BusinessCalendar): number {
  const fromDay = readLocalDateTime(from, calendar.timeZone).day;
  const toDay = readLocalDateTime(to, calendar.timeZone).day;
  if (toDay <= fromDay) return 0;
  let count = countWeekdaysThrough(toDay) - countWeekdaysThrough(fromDay);
  for (const holiday of toHolidaySet(calendar)) {
    if (holiday > fromDay && holiday <= toDay && !isWeekend(holiday)) count -= 1;
  }
  return count;
}

/** Whole local calendar days from `from`'s date to `to`'s date (negative when `to` is earlier). */
export function countCalendarDaysBetween(from: Date, to: Date, timeZone: string): number {
  return readLocalDateTime(to, timeZone).day - readLocalDateTime(from, timeZone).day;
}

function isBusinessDay(day: DayNumber, holidays: Set<DayNumber>): boolean {
  return !isWeekend(day) && !holidays.has(day);
}

/** Offset of the zone from UTC at an instant, in ms (local wall clock minus UTC). */
function readOffsetMs(instantMs: number, timeZone: string): number {
  const local = readLocalDateTime(new Date(instantMs), timeZone);
  return local.day * MS_PER_DAY + local.timeOfDayMs - instantMs;
}

/** The instant a local wall-clock time happens in a zone. */
function toInstant(day: DayNumber, timeOfDayMs: number, timeZone: string): Date {
  const wallClockMs = day * MS_PER_DAY + timeOfDayMs;
  const firstGuessOffset = readOffsetMs(wallClockMs, timeZone);
  const firstGuess = wallClockMs - firstGuessOffset;
  const offsetAtGuess = readOffsetMs(firstGuess, timeZone);
  if (offsetAtGuess === firstGuessOffset) return new Date(firstGuess);
  // The offset changed between the wall-clock reading and the guess: a DST switch lies in between.
  const secondGuess = wallClockMs - offsetAtGuess;
  if (readOffsetMs(secondGuess, timeZone) === offsetAtGuess) return new Date(secondGuess);
  // The wall-clock time does not exist (skipped by a spring-forward): take the instant just after the gap.
  return new Date(Math.max(firstGuess, secondGuess));
}

/**
 * The instant `n` business days after `from` (before it when `n` is negative), at the same local time
 * of day, so that countBusinessDaysBetween(from, result) is `n`.
 */
export function addBusinessDays(from: Date, n: number, calendar: BusinessCalendar): Date {
  if (!Number.isInteger(n)) throw new RangeError(`addBusinessDays needs a whole number of days, got ${n}`);
  const holidays = toHolidaySet(calendar);
  const local = readLocalDateTime(from, calendar.timeZone);
  const direction = n < 0 ? -1 : 1;
  let day = local.day;
  let remaining = Math.abs(n);
  while (remaining > 0) {
    day += direction;
    if (isBusinessDay(day, holidays)) remaining -= 1;
  }
  return n === 0 ? new Date(from) : toInstant(day, local.timeOfDayMs, calendar.timeZone);
}

/** The instant `n` local calendar days after `from`, at the same local time of day (DST-proof). */
export function addCalendarDays(from: Date, n: number, timeZone: string): Date {
  const local = readLocalDateTime(from, timeZone);
  return toInstant(local.day + n, local.timeOfDayMs, timeZone);
}

/**
 * When a reminder created at `now` is due: `hourLocal` o'clock on the first business day after
 * `now`'s local date. A task raised on Friday is due Monday morning, not Saturday.
 */
export function nextBusinessDayAt(now: Date, calendar: BusinessCalendar, hourLocal: number): Date {
  if (!Number.isInteger(hourLocal) || hourLocal < 0 || hourLocal > 23) {
    throw new RangeError(`hourLocal must be a whole hour from 0 to 23, got ${hourLocal}`);
  }
  const holidays = toHolidaySet(calendar);
  let day = readLocalDateTime(now, calendar.timeZone).day + 1;
  while (!isBusinessDay(day, holidays)) day += 1;
  return toInstant(day, hourLocal * MS_PER_HOUR, calendar.timeZone);
}

/** The local working window that business hours count within: 09:00 to 17:00 on business days. */
export const WORKDAY_START_HOUR_LOCAL = 9;
export const WORKDAY_END_HOUR_LOCAL = 17;

/**
 * The instant `hours` working hours after `from`, counting only 09:00-17:00 local time on business
 * days: 8 business hours from Friday 15:00 end at Monday 15:00. Time outside the window counts nothing.
 */
export function addBusinessHours(from: Date, hours: number, calendar: BusinessCalendar): Date {
  if (!Number.isFinite(hours) || hours < 0) throw new RangeError(`hours must be 0 or more, got ${hours}`);
  const holidays = toHolidaySet(calendar);
  const windowStart = WORKDAY_START_HOUR_LOCAL * MS_PER_HOUR;
  const windowEnd = WORKDAY_END_HOUR_LOCAL * MS_PER_HOUR;
  const local = readLocalDateTime(from, calendar.timeZone);
  let day = local.day;
  let time = Math.max(local.timeOfDayMs, windowStart);
  let remaining = hours * MS_PER_HOUR;
  for (;;) {
    if (isBusinessDay(day, holidays) && time < windowEnd) {
      if (remaining <= windowEnd - time) return toInstant(day, time + remaining, calendar.timeZone);
      remaining -= windowEnd - time;
    }
    day += 1;
    time = windowStart;
  }
}
