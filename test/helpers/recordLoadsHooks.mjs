import { appendFileSync } from 'node:fs';

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (process.env.RUNBOOK_TEST_LOADS) appendFileSync(process.env.RUNBOOK_TEST_LOADS, `${url}\n`);
  return result;
}
