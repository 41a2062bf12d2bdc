import type http from 'node:http';
import busboy from 'busboy';
import type { ShopState } from './state';
import { readBody } from './http-util';

type Send = (status: number, body: unknown, type?: string) => void;

/**
 * The staged-upload target: a multipart POST carrying the `key` parameter and the file (as Shopify's
 * storage target takes it), or a PUT of the raw file to its resource URL.
 */
export async function receiveStagedUpload(
  req: http.IncomingMessage,
  url: URL,
  state: ShopState,
  send: Send,
): Promise<void> {
  if (req.method === 'PUT') {
    state.files.set(url.pathname.slice('/_staged/'.length), await readBody(req));
    return send(200, '');
  }
  if (req.method !== 'POST' || url.pathname !== '/_staged/upload') return send(404, { errors: 'Not Found' });
  await new Promise<void>((resolve) => {
    const fields: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let sawFile = false;
    const bb = busboy({ headers: req.headers, limits: { fileSize: 100 * 1024 * 1024 } });
    bb.on('field', (name, value) => (fields[name] = value));
    bb.on('file', (_name, stream) => {
      sawFile = true;
      stream.on('data', (c: Buffer) => chunks.push(c));
    });
    bb.on('close', () => {
      if (!fields.key || !sawFile)
        send(
          400,
          '<Error><Code>InvalidArgument</Code><Message>key and file are required</Message></Error>',
          'application/xml',
        );
      else {
        state.files.set(fields.key, Buffer.concat(chunks));
        send(
          201,
          `<?xml version="1.0" encoding="UTF-8"?><PostResponse><Key>${fields.key}</Key></PostResponse>`,
          'application/xml',
        );
      }
      resolve();
    });
    bb.on('error', () => {
      send(400, '<Error><Code>MalformedPOSTRequest</Code></Error>', 'application/xml');
      resolve();
    });
    req.pipe(bb);
  });
}
