import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStackEnv, stackEnvFile, writeStackEnv } from '../../../stack/env-file';

describe('the npm start endpoints file the CLI reads', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-env-'));
  fs.mkdirSync(path.join(root, '.local'));

  it('fills only the keys the environment leaves unset, and nothing in production or without a running stack', () => {
    expect(loadStackEnv(root, {})).toEqual([]); // npm start not running: no file
    writeStackEnv(root, { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:8333', TEMPORAL_ADDRESS: '127.0.0.1:7233' });
    const env: NodeJS.ProcessEnv = { TEMPORAL_ADDRESS: 'temporal.example:7233' };
    expect(loadStackEnv(root, env)).toEqual(['AWS_ENDPOINT_URL_S3']);
    expect(env).toEqual({ TEMPORAL_ADDRESS: 'temporal.example:7233', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:8333' });
    const production: NodeJS.ProcessEnv = { BACKBONE_ENV: 'production' };
    expect(loadStackEnv(root, production)).toEqual([]);
    expect(production).toEqual({ BACKBONE_ENV: 'production' });
    fs.rmSync(stackEnvFile(root));
    fs.rmSync(root, { recursive: true });
  });
});
