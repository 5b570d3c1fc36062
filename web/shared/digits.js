// Digits as people type them: Persian (۰–۹) and Arabic-Indic (٠–٩) digits are the same numbers as 0–9.
// The API takes ASCII digits, so codes and phone numbers are converted before they are sent.
const PERSIAN_ZERO = 0x06F0;
const ARABIC_ZERO = 0x0660;

export function toAsciiDigits(text) {
  return String(text).replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (digit) => {
    const code = digit.charCodeAt(0);
    return String(code - (code >= PERSIAN_ZERO ? PERSIAN_ZERO : ARABIC_ZERO));
  });
}
