import { stringify } from 'csv-stringify/sync';
import type { ReportSheet } from '../../app/certification/allowanceReport.ts';

/**
 * A report's sheets as a download. CSV: the sheets one after another, each under its name, a blank line between,
 * with a UTF-8 BOM so Excel opens the Chinese text as UTF-8. XLSX: one worksheet per sheet.
 */
export function reportCsv(sheets: readonly ReportSheet[]): string {
  const lines: (string | number)[][] = [];
  sheets.forEach((sheet, i) => {
    if (i > 0) lines.push([]);
    lines.push([sheet.name], sheet.headers, ...sheet.rows);
    if (sheet.footer) lines.push([sheet.footer]);
  });
  return '\uFEFF' + stringify(lines);
}

export async function reportXlsx(sheets: readonly ReportSheet[]): Promise<Buffer> {
  // Loaded when a spreadsheet is first asked for: loading exceljs took about 0.45 s of CPU, a tenth of every start.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  for (const sheet of sheets) {
    const ws = workbook.addWorksheet(sheet.name);
    ws.addRow(sheet.headers).font = { bold: true };
    for (const row of sheet.rows) ws.addRow(row);
    if (sheet.footer) ws.addRow([sheet.footer]);
    ws.columns.forEach((col, i) => {
      const widest = Math.max(...[sheet.headers, ...sheet.rows].map((r) => String(r[i] ?? '').length));
      col.width = Math.min(40, Math.max(10, widest * 2));
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
