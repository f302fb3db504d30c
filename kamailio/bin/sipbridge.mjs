#!/usr/bin/env node
// `npx sipbridge`: the operator CLI of the Kamailio edge (kamailio/cli). The CLI is TypeScript
// run through tsx, like the edge agent, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/entry.ts');
