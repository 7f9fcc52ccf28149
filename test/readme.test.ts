// Every command the README shows runs as written: a subcommand that exists, only options it declares,
// values its parsers accept. Code-block command lines are parsed by the real `lts` program with every
// action replaced by a no-op (nothing is measured); inline `lts ...` spans (usage synopses, prose) are
// checked for their subcommand and option names; `node dist/bench/*.js` lines against the bench
// script's own option list; `npx vitest run <file>` for the file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { program } from '../src/cli/program.js';
import { loadDevice } from '../src/profile/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Use {
  line: number;
  text: string;
  /** a runnable line from a code block (parsed in full), or an inline span / elided line (names only) */
  full: boolean;
}

const COMMAND = /^(?:npx )?lts(?: |$)|^node dist\/bench\/|^npx vitest run /;

/** The commands of one shell line: comments, redirections, env assignments and `&` taken off. A
 * synopsis (`[--graph ort|standard]`) keeps its `|`. */
function segments(line: string, synopsis = false): string[] {
  const code = line.replace(/(^|\s)#.*$/, '');
  return code
    .split(synopsis ? /\s*(?:&&|\|\||;)\s*/ : /\s*(?:&&|\|\||;|\|)\s*/)
    .map((s) => s.trim().replace(/\s*&$/, '').replace(/\s+\d?>>?\s*\S+/g, '').replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+/, ''))
    .filter((s) => COMMAND.test(s));
}

/** Command lines in fenced blocks (shell blocks: every line; output blocks: `$ ` lines) and inline spans. */
function commandUses(markdown: string): Use[] {
  const uses: Use[] = [];
  const prose: string[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((raw, i) => {
    const open = /^\s*```(\w*)/.exec(raw);
    if (open) {
      fence = fence === undefined ? open[1] : undefined;
      prose.push('');
      return;
    }
    if (fence === undefined) {
      prose.push(raw);
      return;
    }
    prose.push('');
    const shell = ['sh', 'bash', 'shell', 'console'].includes(fence);
    const prompt = /^\s*\$ (.*)$/.exec(raw);
    if (!shell && !prompt) return;
    for (const text of segments(prompt ? prompt[1] : raw.trim())) {
      uses.push({ line: i + 1, text, full: !/(^|\s)\.\.\.(\s|$)/.test(text) });
    }
  });
  const text = prose.join('\n');
  for (const m of text.matchAll(/`([^`]+)`/g)) {
    const line = text.slice(0, m.index).split('\n').length;
    const span = m[1].replace(/\s*\n\s*/g, ' ').replace(/\\\|/g, '|');
    for (const s of segments(span, true)) uses.push({ line, text: s, full: false });
  }
  return uses;
}

function tokens(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Option names a synopsis mentions: `[--graph` -> `--graph`, `--x=1` -> `--x`. */
function flagNames(args: string[]): string[] {
  return args.map((t) => t.replace(/^[[(]+/, '').replace(/[\])]+$/, '').split('=')[0]).filter((t) => /^--?[a-zA-Z]/.test(t));
}

function declares(cmd: Command, flag: string): boolean {
  return flag === '--help' || flag === '-h' || cmd.options.some((o) => o.long === flag || o.short === flag);
}

/** Parse with the real program, every action a no-op; the parser's error message, or undefined. */
async function parseOnly(args: string[]): Promise<string | undefined> {
  const root = program();
  let err = '';
  for (const c of [root, ...root.commands]) {
    c.action(() => {});
    c.configureOutput({ writeErr: (s) => (err += s), writeOut: () => {}, outputError: (s) => (err += s) });
  }
  try {
    await root.parseAsync(args, { from: 'user' });
    return undefined;
  } catch (e) {
    if (e instanceof CommanderError && ['commander.helpDisplayed', 'commander.version'].includes(e.code)) return undefined;
    return (err || String(e)).split('\n')[0];
  }
}

function benchProblems(args: string[]): string[] {
  const [script, ...rest] = args;
  const source = join(ROOT, 'bench', script.replace(/^dist\/bench\//, '').replace(/\.js$/, '.ts'));
  if (!existsSync(source)) return [`no bench script ${source}`];
  const code = readFileSync(source, 'utf8');
  // parseArgs option keys (`count: { type`, `'max-seconds': { type`) or a hand-rolled `arg('name'`
  const declared = new Set([...code.matchAll(/['"]?([a-z][a-z-]*)['"]?: \{ type:|\barg\('([a-z-]+)'/g)].map((m) => `--${m[1] ?? m[2]}`));
  return flagNames(rest).filter((f) => !declared.has(f)).map((f) => `${script} declares no ${f}`);
}

function deviceProblem(name: string): string[] {
  try {
    loadDevice(name);
    return [];
  } catch (e) {
    return [(e as Error).message];
  }
}

/** What is wrong with one README command, as sentences; empty when it would parse. */
async function problems(use: Use): Promise<string[]> {
  const args = tokens(use.text);
  if (args[0] === 'npx' && args[1] === 'lts') args.shift();
  if (args[0] === 'node') return benchProblems(args.slice(1));
  if (args[0] === 'npx') return existsSync(join(ROOT, args[3] ?? '')) ? [] : [`no test file ${args[3]}`];
  const rest = args.slice(1);
  const name = rest[0];
  if (name === undefined || name === '...') return [];
  if (use.full) {
    // a runnable line names a real profile (a synopsis's `--device d` is a placeholder)
    const device = rest.includes('--device') ? rest[rest.indexOf('--device') + 1] : undefined;
    const err = await parseOnly(rest);
    return [...(device && !/\/|\.json$/.test(device) ? deviceProblem(device) : []), ...(err ? [err] : [])];
  }
  const root = program();
  const cmd = name.startsWith('-') ? root : root.commands.find((c) => c.name() === name);
  if (!cmd) return [`unknown command '${name}'`];
  const unknown = flagNames(cmd === root ? rest : rest.slice(1)).filter((f) => !declares(cmd, f));
  return unknown.map((f) => `lts ${cmd.name()} declares no ${f}`);
}

async function report(markdown: string): Promise<string[]> {
  const found: string[] = [];
  for (const use of commandUses(markdown)) {
    for (const p of await problems(use)) found.push(`README.md:${use.line}: ${use.text}\n    ${p}`);
  }
  return found;
}

describe('README commands', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('finds the commands the README shows', () => {
    const uses = commandUses(readme);
    expect(uses.filter((u) => u.full).map((u) => u.text)).toContain('lts search --device cpu --metric latency --budget 5 --out runs/first');
    expect(uses.some((u) => u.text.startsWith('node dist/bench/'))).toBe(true);
    expect(uses.filter((u) => !u.full).length).toBeGreaterThan(10);
  });

  it('every one names a real subcommand, options it declares, and values it accepts', async () => {
    expect(await report(readme)).toEqual([]);
  });

  it('catches a mistyped command, flag or value, and a missing bench script or option', async () => {
    const bad = [
      '```sh',
      'lts serch --device cpu',
      'lts search --device cpu --budgett 5 --out runs/x   # comment',
      'lts search --population ten',
      'lts search --device nosuchboard',
      'node dist/bench/nope.js',
      'node dist/bench/repeatability.js --cuont 3',
      '```',
      '```',
      '$ lts params --config c.json --jsno',
      'lts params --this-is-output-not-a-command',
      '```',
      'In prose: `lts pick runs/x --latency-maxx 50` and `lts export --config c.json [--grpah ort\\|standard]`.',
      '```sh',
      'lts params --config c.json --json && lts pick runs/x --latency-max 50',
      '```',
    ].join('\n');
    const found = await report(bad);
    expect(found.map((f) => f.split('\n')[0])).toEqual([
      'README.md:2: lts serch --device cpu',
      'README.md:3: lts search --device cpu --budgett 5 --out runs/x',
      'README.md:4: lts search --population ten',
      'README.md:5: lts search --device nosuchboard',
      'README.md:6: node dist/bench/nope.js',
      'README.md:7: node dist/bench/repeatability.js --cuont 3',
      'README.md:10: lts params --config c.json --jsno',
      'README.md:13: lts pick runs/x --latency-maxx 50',
      'README.md:13: lts export --config c.json [--grpah ort|standard]',
    ]);
    expect(found.join('\n')).toMatch(/unknown option '--budgett'/);
    expect(found.join('\n')).toMatch(/lts export declares no --grpah/);
  });
});
