// Bundles the compiled CLI (dist/, from tsc) into dist/bundle/: a few ES module files instead of
// the ~400 files of our code, zod, yaml, commander, Ink and React. Node 20 has no compile cache for
// ES modules (module.enableCompileCache() is Node 22), so start-up pays for resolving, reading and
// compiling every file, every time; one bundle per command path, minified, tree-shaken, cuts that
// (numbers in the README's Speed section). `import()` splits stay lazy chunks: `status` never
// loads the chunk holding Ink, React, marked, liquidjs or ssh2.
//   node scripts/bundle.mjs   (run by `npm run build`, after tsc)
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let build;
try {
  ({ build } = await import('esbuild'));
} catch (err) {
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  process.stderr.write('build: esbuild is not installed (a devDependency since the CLI is bundled): run `npm install` (or `npm ci`), then build again\n');
  process.exit(1);
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir,
  chunkNames: 'chunk-[hash]',
  // Whitespace and syntax only: a bug's stack trace keeps our function names.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  // ssh2 stays a package (its optional native add-ons are resolved at run time, and it is loaded
  // only when an SSH host is first needed); Ink imports react-devtools-core only under DEV=true.
  external: ['ssh2', 'react-devtools-core'],
  // CommonJS packages in the bundle (commander, yaml's deps, React) call require() for Node's own
  // modules: give the ES module bundle one.
  banner: { js: "import { createRequire as __runbookRequire } from 'node:module'; const require = __runbookRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});
// Which inputs went into which output file: test/cli/startupLoads.test.ts reads it to check what
// each command loads.
writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
