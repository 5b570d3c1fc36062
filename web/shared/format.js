// Dates, numbers and sizes in the UI language. Times are shown in the browser's own time zone.
import {isolate, lang} from './i18n.js';

// fa: Persian (Solar Hijri) calendar with Persian digits; he and en: Gregorian.
const DATE_LOCALES = {fa: 'fa-IR-u-ca-persian', he: 'he-IL', en: 'en-GB'};
const NUMBER_LOCALES = {fa: 'fa-IR', he: 'he-IL', en: 'en-GB'};

export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(DATE_LOCALES[lang()], {dateStyle: 'medium', timeStyle: 'short'}).format(date);
}

/** "3 hours ago" for the queue's age column. */
export function formatAge(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(NUMBER_LOCALES[lang()], {numeric: 'auto', style: 'short'});
  const steps = [['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  }
  return rtf.format(0, 'minute');
}

/** Ticket numbers in the UI language's digits (Persian digits in fa), without grouping. */
export function formatNumber(n) {
  return new Intl.NumberFormat(NUMBER_LOCALES[lang()], {useGrouping: false}).format(n);
}

/** Sizes in binary units (1 MB = 1024 × 1024 bytes), as file managers show them and as the limits are set.
 * Isolated, so "11 MB" stays one unit inside a right-to-left sentence instead of showing as "MB 11". */
export function formatBytes(bytes) {
  const [unit, value] = bytes >= 1024 ** 2 ? ['megabyte', bytes / 1024 ** 2]
    : bytes >= 1024 ? ['kilobyte', bytes / 1024] : ['byte', bytes];
  return isolate(new Intl.NumberFormat(NUMBER_LOCALES[lang()], {
    style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: unit === 'byte' ? 0 : 1,
  }).format(value));
}

/** A length of time as hours and minutes ("2 hr 5 min"), in the UI language's digits and unit names. */
export function formatDuration(seconds) {
  const minutes = Math.floor(seconds / 60);
  const unit = (value, name) => new Intl.NumberFormat(NUMBER_LOCALES[lang()], {
    style: 'unit', unit: name, unitDisplay: 'short'}).format(value);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const parts = days ? [unit(days, 'day'), unit(hours, 'hour')]
    : hours ? [unit(hours, 'hour'), unit(minutes % 60, 'minute')] : [unit(minutes, 'minute')];
  return parts.join(' ');
}

/** Agent time: like formatDuration, with seconds below a minute ("45 sec") rather than "0 min". */
export function formatSpent(seconds) {
  if (seconds >= 60 || seconds <= 0) return formatDuration(Math.max(0, seconds));
  return new Intl.NumberFormat(NUMBER_LOCALES[lang()], {style: 'unit', unit: 'second', unitDisplay: 'short'})
    .format(Math.round(seconds));
}
