// Build a report and render it in one of its formats; write it to a file atomically.
import path from 'node:path';
import { BadInputError } from '../errors.js';
import { atomicReplace, describeFsError } from '../state/fsUtil.js';
import { checkOutputPath } from '../pathCheck.js';
import { reportHtml } from './html.js';
import { reportMarkdown } from './markdown.js';
import { buildReport, type ReportInput } from './model.js';

export const REPORT_FORMATS = ['md', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The format a file name asks for (.html/.htm, .json, else Markdown). */
export function formatForFile(file: string): ReportFormat {
  const ext = path.extname(file).toLowerCase();
  return ext === '.html' || ext === '.htm' ? 'html' : ext === '.json' ? 'json' : 'md';
}

export function parseReportFormat(value: string | undefined): ReportFormat | undefined {
  if (value === undefined) return undefined;
  if ((REPORT_FORMATS as readonly string[]).includes(value)) return value as ReportFormat;
  throw new BadInputError(`--format ${value}: not a report format`, { hint: `use one of ${REPORT_FORMATS.join(', ')}` });
}

export async function renderReport(input: ReportInput, format: ReportFormat): Promise<string> {
  const report = await buildReport(input);
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  return format === 'html' ? reportHtml(report) : reportMarkdown(report);
}

/** Render and write atomically (a reader never sees half a report). Throws BadInputError on failure. */
export async function writeReport(file: string, input: ReportInput, format: ReportFormat = formatForFile(file)): Promise<void> {
  checkOutputPath('report file', file); // never rename over a device, a FIFO or a symlink
  const text = await renderReport(input, format);
  try {
    await atomicReplace(path.resolve(file), text);
  } catch (err) {
    throw new BadInputError(`cannot write report ${file}: ${describeFsError(err)}`, { hint: 'check the directory exists and is writable' });
  }
}
