import fs from 'node:fs';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import type { Config } from './config';

function connectionOptions(config: Config): ConnectionOptions & NativeConnectionOptions {
  const { address, apiKey, tls } = config.temporal;
  return {
    address,
    apiKey,
    tls:
      tls === true
        ? true
        : tls
          ? {
              clientCertPair: {
                crt: fs.readFileSync(tls.certPath!),
                key: fs.readFileSync(tls.keyPath!),
              },
            }
          : undefined,
  } as ConnectionOptions & NativeConnectionOptions;
}

export function connectWorker(config: Config): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}

export function connectClient(config: Config): Promise<Connection> {
  return Connection.connect(connectionOptions(config));
}
