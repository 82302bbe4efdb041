// Liquid templating of step bodies and attributes: strict, no file system, no code execution.
import { Liquid, type Template, type TagToken } from 'liquidjs';
import { BadInputError } from '../errors.js';

/** Where a template text comes from: `line` is the file line of the text's first line. */
export interface TemplateWhere {
  readonly file: string;
  readonly line: number;
  /** What is being rendered, for messages: "step `install` body", "unless of step `x`". */
  readonly what: string;
}

/** Tags that would read partials from the file system: refused at parse time. */
export const REFUSED_TAGS = ['include', 'render', 'layout'] as const;

class RefusedTagError extends Error {
  constructor(readonly tag: string) {
    super(`the {% ${tag} %} tag is not allowed`);
  }
}

const noFileSystem = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file: string): Promise<string> => {
    throw new RefusedTagError(`partial ${file}`);
  },
  readFileSync: (file: string): string => {
    throw new RefusedTagError(`partial ${file}`);
  },
  resolve: (_dir: string, file: string) => file,
};

const engine = new Liquid({
  strictVariables: true,
  strictFilters: true,
  // `{% if x %}` and `{{ x | default: 'y' }}` may test a variable that is not defined.
  lenientIf: true,
  // No access to prototype properties such as `constructor`.
  ownPropertyOnly: true,
  fs: noFileSystem,
  relativeReference: false,
  dynamicPartials: false,
  // The `date` filter's month and day names (%B, %a...) in English on every machine, so that a
  // runbook renders the same for every operator; and without it liquidjs asks Intl.DateTimeFormat
  // for the system's locale as the engine is made, ICU's start-up on the player's first frame (~28 ms).
  locale: 'en-US',
  // Bounds so that a runaway template cannot hang the player.
  parseLimit: 10_000_000,
  renderLimit: 10_000,
  memoryLimit: 100_000_000,
});
for (const tag of REFUSED_TAGS) {
  engine.registerTag(tag, {
    parse(_token: TagToken) {
      throw new RefusedTagError(tag);
    },
    render() {
      return '';
    },
  });
}

const CACHE_LIMIT = 2000;
const cache = new Map<string, Template[]>();

interface LiquidLikeError extends Error {
  token?: { getPosition(): [number, number] };
  originalError?: Error & { variableName?: string };
}

/**
 * Markup of Go templates (Helm charts, `kubectl -o go-template`, `docker --format`): `{{ .Values.x }}`,
 * `{{range .items}}`, `{{ $x }}`, `{{ index .m "k" }}`. Liquid would read most of it as undefined
 * variables (`range`, `Values`) and ask for them, so it is refused with the fix instead.
 */
const GO_TEMPLATE = /\{\{-?\s*(\.\s*(-?\}\})|\.[A-Za-z_]|\$[A-Za-z_.]?|(range|with|if|else\s+if|index|printf|template|define|block|include|toYaml|len|not|eq|ne)\s+[.$"(])/;

/** Where text written for another template language first appears, outside {% raw %} blocks. */
function otherTemplateMarkup(text: string): { markup: string; lineOffset: number } | undefined {
  if (!text.includes('{{')) return undefined;
  const visible = text.replace(/\{%-?\s*raw\s*-?%\}[\s\S]*?\{%-?\s*endraw\s*-?%\}/g, (m) => m.replace(/[^\n]/g, ' '));
  const m = GO_TEMPLATE.exec(visible);
  if (!m) return undefined;
  const end = visible.indexOf('}}', m.index);
  const markup = visible.slice(m.index, end < 0 ? m.index + 20 : end + 2).split('\n')[0];
  return { markup, lineOffset: visible.slice(0, m.index).split('\n').length - 1 };
}

/** Turn a liquidjs error into a located BadInputError. */
function toBadInput(e: unknown, where: TemplateWhere): BadInputError {
  if (!(e instanceof Error)) return new BadInputError(`template error in ${where.what}: ${String(e)}`, { file: where.file, line: where.line });
  const le = e as LiquidLikeError;
  const pos = typeof le.token?.getPosition === 'function' ? le.token.getPosition() : undefined;
  const line = where.line + (pos ? pos[0] - 1 : 0);
  const loc = { file: where.file, line };
  const original = le.originalError;
  if (original instanceof RefusedTagError || e instanceof RefusedTagError) {
    const tag = (original instanceof RefusedTagError ? original : (e as RefusedTagError)).tag;
    return new BadInputError(`{% ${tag} %} is not allowed in ${where.what}`, {
      ...loc,
      hint: 'templates cannot read other files; put the text in the runbook or in a variable',
    });
  }
  const bare = e.message.replace(/, line:\d+, col:\d+$/, '');
  if (e.name === 'UndefinedVariableError') {
    const name = original?.variableName ?? bare.replace(/^undefined variable: /, '');
    return new BadInputError(`undefined variable \`${name}\` in ${where.what}`, {
      ...loc,
      hint: `define it in the front matter vars, the inventory, a capture, or pass --var ${name.split(/[.[]/)[0]}=... (for a secret: --var-file FILE or RUNBOOK_VAR_${name.split(/[.[]/)[0]})`,
    });
  }
  const filter = /^undefined filter: (.+)$/.exec(bare);
  if (filter) {
    return new BadInputError(`unknown filter \`${filter[1]}\` in ${where.what}`, { ...loc, hint: 'see the Liquid standard filters' });
  }
  if (e.name === 'ParseError' || e.name === 'TokenizationError') {
    return new BadInputError(`template syntax error in ${where.what}: ${bare}`, { ...loc, hint: 'check the {{ }} and {% %} markup; text in another template language goes in {% raw %}...{% endraw %}' });
  }
  return new BadInputError(`template error in ${where.what}: ${bare}`, loc);
}

/** Parse (cached by text). Throws BadInputError located at `where`. */
function parse(text: string, where: TemplateWhere): Template[] {
  const hit = cache.get(text);
  if (hit) return hit;
  const other = otherTemplateMarkup(text);
  if (other) {
    throw new BadInputError(`\`${other.markup}\` in ${where.what} is another template language's markup (Go templates), not Liquid`, {
      file: where.file,
      line: where.line + other.lineOffset,
      hint: `runbook renders Liquid: to keep the text as written, wrap it in {% raw %}...{% endraw %}, e.g. {% raw %}${other.markup}{% endraw %}`,
    });
  }
  let templates: Template[];
  try {
    templates = engine.parse(text);
  } catch (e) {
    throw toBadInput(e, where);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, templates);
  return templates;
}

/**
 * Render a Liquid template strictly: an undefined variable or filter, a syntax error, or a refused
 * tag ({% include %}, {% render %}, {% layout %}) throws BadInputError with the file line of the
 * offending markup. Rendering reads no files and runs no code.
 */
export function renderTemplate(text: string, vars: Record<string, unknown>, where: TemplateWhere): string {
  if (!text.includes('{')) return text;
  const templates = parse(text, where);
  try {
    return engine.renderSync(templates, vars) as string;
  } catch (e) {
    throw toBadInput(e, where);
  }
}

/**
 * The top-level variable names a template references and does not define itself
 * (`{{ a.b }}` gives `a`; loop variables and `assign`ed names are left out), in first-use order.
 * Throws BadInputError for a template that does not parse (located when `where` is given).
 */
export function templateVariables(text: string, where: TemplateWhere = { file: '', line: 1, what: 'template' }): string[] {
  if (!text.includes('{')) return [];
  const templates = parse(text, where);
  try {
    return [...new Set(engine.globalVariablesSync(templates))];
  } catch (e) {
    throw toBadInput(e, where);
  }
}
