// An ESLint rule: a relative import never crosses a workspace boundary. Each relative (or
// absolute) specifier of an import, export, dynamic import, require() or TypeScript import type is
// resolved against the importing file; when the target lies in another workspace than the importer
// (the nearest workspace folder holding each, the repository root holding scripts/ and test/), the
// import is refused: a workspace package is imported by its name and through what it exports.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** @typedef {{ dir: string, name: string | undefined }} Workspace */
/** @typedef {{ root: string, workspaces: Workspace[] }} Layout */

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** @type {Map<string, Layout | null>} */
const layouts = new Map();

/** The repository holding `dir`: the nearest package.json with `workspaces`, and its workspaces. */
function layoutOf(dir) {
  if (layouts.has(dir)) return layouts.get(dir);
  let layout = null;
  const manifest = join(dir, 'package.json');
  const pkg = existsSync(manifest) ? readJson(manifest) : undefined;
  if (Array.isArray(pkg?.workspaces)) {
    const workspaces = pkg.workspaces
      .map((w) => resolve(dir, w))
      .map((wsDir) => {
        const wsManifest = join(wsDir, 'package.json');
        return { dir: wsDir, name: existsSync(wsManifest) ? readJson(wsManifest).name : undefined };
      })
      // Deepest first, so kamailio/jsonrpc wins over kamailio; the root last.
      .sort((a, b) => b.dir.length - a.dir.length);
    layout = { root: dir, workspaces: [...workspaces, { dir, name: undefined }] };
  } else if (dirname(dir) !== dir) {
    layout = layoutOf(dirname(dir));
  }
  layouts.set(dir, layout);
  return layout;
}

const inside = (file, dir) => file === dir || file.startsWith(dir + sep);

/** The workspace holding `file`, or undefined outside the repository. */
const workspaceOf = (layout, file) => layout.workspaces.find((w) => inside(file, w.dir));

const describeWorkspace = (layout, ws) =>
  ws.dir === layout.root
    ? 'the repository root (scripts/, test/)'
    : `${relative(layout.root, ws.dir)}/${ws.name ? ` (${ws.name})` : ''}`;

/** @type {import('eslint').Rule.RuleModule} */
export const workspaceImports = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'Refuses relative imports that reach into another workspace: import packages by name',
    },
    schema: [],
    messages: {
      intoPackage:
        "'{{specifier}}' reaches from {{from}} into {{to}}: import it by its package name, '{{name}}' (add what is missing to its exports).",
      intoRoot:
        "'{{specifier}}' reaches from {{from}} into {{to}}, which is no package: move what both need into a workspace package (@sip-bridge/contract for what the parts must agree on).",
    },
  },
  create(context) {
    const filename = context.physicalFilename ?? context.filename;
    const layout = isAbsolute(filename) ? layoutOf(dirname(filename)) : null;
    const from = layout && workspaceOf(layout, filename);
    if (!layout || !from) return {};

    /** @param {import('estree').Node} node @param {unknown} specifier */
    function check(node, specifier) {
      if (typeof specifier !== 'string') return;
      if (!specifier.startsWith('.') && !isAbsolute(specifier)) return;
      const target = resolve(dirname(filename), specifier);
      const to = workspaceOf(layout, target);
      if (!to || to.dir === from.dir) return;
      const data = {
        specifier,
        from: describeWorkspace(layout, from),
        to: describeWorkspace(layout, to),
        name: to.name ?? '',
      };
      context.report({ node, messageId: to.name ? 'intoPackage' : 'intoRoot', data });
    }

    const literal = (node) =>
      node?.type === 'Literal'
        ? node.value
        : node?.type === 'TemplateLiteral' && node.expressions.length === 0
          ? node.quasis[0]?.value.cooked
          : undefined;

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => check(node.source, literal(node.source)),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') {
          check(node, literal(node.arguments[0]));
        }
      },
      // `typeof import('../x')` and `import('../x').T` in TypeScript.
      TSImportType: (node) => check(node, literal(node.argument?.literal ?? node.argument)),
      // `import x = require('../x')`.
      TSExternalModuleReference: (node) => check(node, literal(node.expression)),
    };
  },
};

/** The local plugin eslint.config.js loads. */
export default { rules: { 'workspace-imports': workspaceImports } };
