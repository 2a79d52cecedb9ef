// Checks plain JSON/YAML values against TypeScript type declarations shipped in npm
// packages (the kubernetes-models CRD packages, @grafana/schema), read with the
// TypeScript compiler's type checker. It reports what the packages' own validators
// miss or do not have: field names a type does not declare (typos, which the
// generated JSON schemas of kubernetes-models accept), and, where asked, wrong
// primitive types, values outside a literal union (enums) and missing required fields.
//
// The types are resolved once, in one TypeScript program over a virtual entry file
// that imports them, so walking a value afterwards is synchronous and cheap.
import ts from 'typescript';
import { join } from 'node:path';

export interface TypeRef {
  /** module specifier, resolved from the repository root like an import would be */
  module: string;
  /** exported type name in that module */
  name: string;
}

export interface DeclaredTypeError {
  path: string;
  message: string;
}

export interface WalkOptions {
  /** also check primitive types, literal unions and required fields (default: field names only) */
  strict?: boolean;
  /**
   * Called for each object before it is walked as `typeName` (declared name); may
   * return another registered type key to walk it as instead (e.g. a panel's
   * `options` as that panel plugin's Options), or 'skip' to leave it unchecked.
   */
  override?: (path: string, value: unknown, typeName: string) => string | 'skip' | undefined;
}

export class DeclaredTypes {
  private constructor(
    private checker: ts.TypeChecker,
    private types: Map<string, ts.Type>,
  ) {}

  /** `refs`: key -> type. Throws, naming the module, when a type does not resolve. */
  static load(root: string, refs: Record<string, TypeRef>): DeclaredTypes {
    const entryPath = join(root, '__declared_types_entry__.ts');
    const keys = Object.keys(refs);
    const entry = keys
      .map((k, i) => `import type { ${refs[k].name} as T${i} } from ${JSON.stringify(refs[k].module)};\nexport type A${i} = T${i};`)
      .join('\n');
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ['lib.es2022.d.ts'],
      types: [],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
    };
    const host = ts.createCompilerHost(options, true);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (f, lang, onError, create) =>
      f === entryPath ? ts.createSourceFile(f, entry, lang, true) : getSourceFile(f, lang, onError, create);
    const fileExists = host.fileExists.bind(host);
    host.fileExists = (f) => f === entryPath || fileExists(f);
    const program = ts.createProgram({ rootNames: [entryPath], options, host });
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(entryPath));
    if (diagnostics.length) {
      throw new Error(
        `cannot resolve the declared types (is npm ci done?): ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`,
      );
    }
    const checker = program.getTypeChecker();
    const sf = program.getSourceFile(entryPath)!;
    const types = new Map<string, ts.Type>();
    for (const st of sf.statements) {
      if (!ts.isTypeAliasDeclaration(st)) continue;
      const i = Number(st.name.text.slice(1));
      types.set(keys[i], checker.getTypeAtLocation(st.name));
    }
    return new DeclaredTypes(checker, types);
  }

  has(key: string): boolean {
    return this.types.has(key);
  }

  /** The errors of `value` checked as registered type `key`; `path` prefixes every error path. */
  check(value: unknown, key: string, opts: WalkOptions = {}, path = ''): DeclaredTypeError[] {
    const t = this.types.get(key);
    if (!t) throw new Error(`internal: type "${key}" is not registered`);
    const out: DeclaredTypeError[] = [];
    this.walk(value, t, path, opts, out);
    return out;
  }

  /** Walk after an override: the object at `path` itself is not offered to it again. */
  private redirect(value: unknown, key: string, opts: WalkOptions, path: string, out: DeclaredTypeError[]): void {
    const t = this.types.get(key);
    if (!t) throw new Error(`internal: type "${key}" is not registered`);
    this.walk(value, t, path, opts, out, true);
  }

  private name(t: ts.Type): string {
    const s = t.aliasSymbol ?? t.getSymbol();
    const n = s?.getName();
    if (n && n !== '__type' && n !== '__object') return n.replace(/^I(?=[A-Z])/, '');
    return this.checker.typeToString(t);
  }

  private walk(value: unknown, type: ts.Type, path: string, opts: WalkOptions, out: DeclaredTypeError[], overridden = false): void {
    if (value === undefined) return;
    const err = (message: string) => out.push({ path, message });
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    const members = type.isUnion() ? type.types : [type];
    if (value === null) {
      if (opts.strict && !members.some((m) => m.flags & (ts.TypeFlags.Null | ts.TypeFlags.Any | ts.TypeFlags.Unknown)))
        err(`must not be null (${this.describe(members)})`);
      return;
    }
    if (members.some((m) => m.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return;
    const kind = Array.isArray(value) ? 'array' : typeof value;
    if (kind === 'array') {
      const arr = members.find((m) => this.checker.isArrayType(m) || this.checker.isTupleType(m));
      if (!arr) return void (opts.strict && err(`must be ${this.describe(members)}, not a list`));
      const elem = this.checker.getTypeArguments(arr as ts.TypeReference)[0];
      (value as unknown[]).forEach((v, i) => this.walk(v, elem, `${path}[${i}]`, opts, out));
      return;
    }
    if (kind === 'object') {
      const objs = members.filter(
        (m) => m.flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection) && !this.checker.isArrayType(m) && !this.checker.isTupleType(m),
      );
      if (!objs.length) return void (opts.strict && err(`must be ${this.describe(members)}, not an object`));
      const o = objs.length === 1 ? objs[0] : this.pickObject(objs, value as Record<string, unknown>);
      const over = overridden ? undefined : opts.override?.(path, value, this.name(o));
      if (over === 'skip') return;
      if (over) return this.redirect(value, over, opts, path, out);
      this.walkObject(value as Record<string, unknown>, o, path, opts, out);
      return;
    }
    if (!opts.strict) return;
    const ok = members.some((m) => {
      if (m.flags & ts.TypeFlags.StringLiteral) return value === (m as ts.StringLiteralType).value;
      if (m.flags & ts.TypeFlags.NumberLiteral) return value === (m as ts.NumberLiteralType).value;
      if (m.flags & ts.TypeFlags.BooleanLiteral) return kind === 'boolean' && String(value) === this.checker.typeToString(m);
      if (m.flags & ts.TypeFlags.String || m.flags & ts.TypeFlags.TemplateLiteral) return kind === 'string';
      if (m.flags & ts.TypeFlags.Number) return kind === 'number';
      if (m.flags & ts.TypeFlags.Boolean) return kind === 'boolean';
      return false;
    });
    if (!ok) err(`must be ${this.describe(members)} (got ${JSON.stringify(value)})`);
  }

  /** Of several object types in a union, the one declaring the most of the value's keys. */
  private pickObject(objs: readonly ts.Type[], value: Record<string, unknown>): ts.Type {
    let best = objs[0];
    let bestScore = -1;
    for (const o of objs) {
      const score = Object.keys(value).filter((k) => o.getProperty(k)).length;
      if (score > bestScore) {
        best = o;
        bestScore = score;
      }
    }
    return best;
  }

  private walkObject(value: Record<string, unknown>, type: ts.Type, path: string, opts: WalkOptions, out: DeclaredTypeError[]): void {
    const index = this.checker.getIndexInfosOfType(type).find((i) => i.keyType.flags & ts.TypeFlags.String);
    const props = this.checker.getPropertiesOfType(type);
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      const prop = type.getProperty(k);
      if (prop) {
        this.walk(v, this.checker.getTypeOfSymbol(prop), p, opts, out);
        continue;
      }
      if (index) {
        this.walk(v, index.type, p, opts, out);
        continue;
      }
      const hint = closest(
        k,
        props.map((x) => x.getName()),
      );
      out.push({
        path: p,
        message: `unknown field "${k}" (${this.name(type)} has no such field${hint ? `; did you mean "${hint}"?` : ''})`,
      });
    }
    if (opts.strict) {
      for (const prop of props) {
        if (prop.flags & ts.SymbolFlags.Optional || prop.getName() in value) continue;
        const t = this.checker.getTypeOfSymbol(prop);
        if (t.isUnion() && t.types.some((m) => m.flags & ts.TypeFlags.Undefined)) continue;
        out.push({ path, message: `missing required field "${prop.getName()}" (${this.name(type)})` });
      }
    }
  }

  private describe(members: readonly ts.Type[]): string {
    const parts = [...new Set(members.filter((m) => !(m.flags & ts.TypeFlags.Undefined)).map((m) => this.checker.typeToString(m)))];
    return parts.length > 6 ? `one of ${parts.slice(0, 6).join(' | ')} | …` : parts.join(' | ');
  }
}

/** The candidate closest to `word` by edit distance, when it is close enough to be a typo. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}
