import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_SOURCES } from '../workers/workflow-bundle';

// `npm run build`: the production workflow bundle workers load instead of bundling at start.
const root = path.resolve(import.meta.dirname, '..');
const { code } = await bundleWorkflowCode(WORKFLOW_BUNDLE_SOURCES);
fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
fs.writeFileSync(path.join(root, 'dist/workflow-bundle.js'), code);
console.log(`wrote dist/workflow-bundle.js (${(code.length / 1024).toFixed(0)} KiB)`);
