// The YAML side of a spec: the parsed value, YAML syntax problems, and where in the text a field path sits,
// so every later problem can name its line and column.
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';

export type FieldPath = readonly (string | number)[];

/** Where a problem points: the value itself, the key that names it, or (for a missing field) the parent. */
export type Anchor = 'value' | 'key' | 'parent';

export interface Position {
  line: number;
  column: number;
}

export interface SyntaxProblem extends Position {
  message: string;
}

export interface SpecSource {
  /** The plain value of the document; undefined when the text has syntax errors. */
  data: unknown;
  syntaxProblems: SyntaxProblem[];
  locate(path: FieldPath, anchor: Anchor): Position;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `spec.strategy.canary.steps[1].setWeight`; keys that are not plain names are quoted: `labels["a/b"]`. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (IDENTIFIER.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out === '' ? '(root)' : out;
}

interface Step {
  /** The value, through aliases, to walk on from. */
  node: Node | null;
  /** The value as written here (an alias stays an alias), to point at. */
  written: Node | null;
  key: Node | null;
}

function resolve(doc: Document, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return (node as Node | null | undefined) ?? null;
}

/** The nodes along a path, from the document root, as far as the path exists. */
function walk(doc: Document, path: FieldPath): Step[] {
  const steps: Step[] = [{ node: resolve(doc, doc.contents), written: doc.contents, key: null }];
  for (const part of path) {
    const current = steps[steps.length - 1]?.node;
    if (isMap(current) && typeof part === 'string') {
      const pair = current.items.find((item) => isScalar(item.key) && String(item.key.value) === part);
      if (pair === undefined) break;
      steps.push({
        node: resolve(doc, pair.value),
        written: pair.value as Node | null,
        key: pair.key as Node,
      });
    } else if (isSeq(current) && typeof part === 'number' && part < current.items.length) {
      const item = current.items[part] as Node | null;
      steps.push({ node: resolve(doc, item), written: item, key: null });
    } else {
      break;
    }
  }
  return steps;
}

/** An empty value (`key:` with nothing after it) has no text of its own; its key is the better place. */
function isEmptyScalar(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null && node.range?.[0] === node.range?.[1]);
}

function syntaxMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS') return 'found a second YAML document (---), expected one spec per file';
  const firstLine = message.split('\n')[0] ?? message;
  return firstLine.replace(/ at line \d+, column \d+:?$/, '');
}

export function readSpecSource(text: string): SpecSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const toPosition = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const at = (step: Step | undefined, preferKey: boolean): Position => {
    const keyStart = step?.key?.range?.[0];
    const nodeStart = step?.written?.range?.[0];
    if (keyStart !== undefined && (preferKey || isEmptyScalar(step?.written ?? null)))
      return toPosition(keyStart);
    if (nodeStart !== undefined) return toPosition(nodeStart);
    return keyStart !== undefined ? toPosition(keyStart) : { line: 1, column: 1 };
  };

  const syntaxProblems: SyntaxProblem[] = doc.errors.map((error) => {
    const where = error.linePos?.[0];
    const position = where === undefined ? toPosition(error.pos[0]) : { line: where.line, column: where.col };
    return { ...position, message: syntaxMessage(error.code, error.message) };
  });
  let data: unknown;
  if (syntaxProblems.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      syntaxProblems.push({ line: 1, column: 1, message: (error as Error).message });
    }
  }

  const locate = (path: FieldPath, anchor: Anchor): Position => {
    const steps = walk(doc, anchor === 'parent' ? path.slice(0, -1) : path);
    const found = steps.length - 1 === (anchor === 'parent' ? path.length - 1 : path.length);
    const last = steps[steps.length - 1];
    if (!found) return at(last, true);
    return at(last, anchor !== 'value');
  };
  return { data, syntaxProblems, locate };
}
