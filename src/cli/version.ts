/** The version `runbook --version` prints (package.json's; a test checks they agree). */
export const VERSION = '0.1.0';

declare const __RUNBOOK_BUILD_ID__: string | undefined;
/**
 * This build of the tool: the sha256 of the bundle's own files, set by scripts/bundle.mjs. It keys
 * the parse cache (any other build parses again). Undefined outside the bundle (tests importing
 * the source), where nothing is cached.
 */
export const BUILD_ID: string | undefined = typeof __RUNBOOK_BUILD_ID__ === 'string' ? __RUNBOOK_BUILD_ID__ : undefined;
