// Types for workspace-imports.mjs.
import type { ESLint, Rule } from 'eslint';

export declare const workspaceImports: Rule.RuleModule;
declare const plugin: ESLint.Plugin;
export default plugin;
