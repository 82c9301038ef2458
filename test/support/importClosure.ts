import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * What a TypeScript file loads when it runs: its value imports and re-exports and its dynamic `import()`s, read
 * with the TypeScript parser. `import type` is left out, since it vanishes at run time. Used to keep the
 * unit tests away from the database (test/unitBoundary.unit.test.ts).
 */
export function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      // `import { type A } from 'x'` still loads x under verbatimModuleSyntax; only `import type` does not.
      if (!node.importClause?.isTypeOnly && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
      return;
    }
    if (ts.isExportDeclaration(node)) {
      if (!node.isTypeOnly && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
      return;
    }
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The first path (root-relative, from `entry`) to a module `forbidden` says no to, or null. Relative imports are
 * followed through the repository's own files; package imports are leaves (`forbidden` sees their bare name).
 * `parsed` caches each file's imports; pass one map to many calls over the same files.
 */
export function findForbiddenImport(root: string, entry: string, forbidden: (module: string) => boolean, parsed = new Map<string, string[]>()): string[] | null {
  const seen = new Set<string>();
  const queue: string[][] = [[relative(root, resolve(root, entry))]];
  while (queue.length) {
    const chain = queue.shift()!;
    const file = chain.at(-1)!;
    if (seen.has(file)) continue;
    seen.add(file);
    let specs = parsed.get(file);
    if (!specs) parsed.set(file, (specs = runtimeImports(resolve(root, file))));
    for (const spec of specs) {
      const local = spec.startsWith('.');
      const module = local ? relative(root, resolve(root, dirname(file), spec)) : spec;
      if (forbidden(module)) return [...chain, module];
      if (local && module.endsWith('.ts') && existsSync(resolve(root, module))) queue.push([...chain, module]);
    }
  }
  return null;
}
