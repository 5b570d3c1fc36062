// CSV export of a table: UTF-8 with a byte-order mark (so Excel opens Persian and Hebrew text correctly), comma
// separated, every cell quoted. A cell that begins with = + - @, a tab or a carriage return would be taken as a
// formula by a spreadsheet (CSV injection): it gets a leading apostrophe, which spreadsheets show as text.

export const BOM = '\uFEFF';
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutralize(value) {
  const text = value === null || value === undefined ? '' : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** rows: arrays of cells (the first the header). Returns the file's text, BOM first, CRLF line ends. */
export function toCsv(rows) {
  return BOM + rows.map((row) => row.map((cell) => `"${neutralize(cell).replace(/"/g, '""')}"`).join(',')).join('\r\n')
    + '\r\n';
}

/** Offers the rows as a file download named `filename`. */
export function downloadCsv(filename, rows) {
  const url = URL.createObjectURL(new Blob([toCsv(rows)], {type: 'text/csv;charset=utf-8'}));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
