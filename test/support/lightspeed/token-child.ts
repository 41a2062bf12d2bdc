// A worker that refreshes the Lightspeed token and stops dead at one point (LS_STOP_AT) so the test can kill -9 it
// there: `before-refresh` (intent marked, token not yet sent) or `after-pending` (new pair stored as pending).
import { createPool } from '../../../db/client';
import { LightspeedCredentials, parseTokenKey, tokenEndpoint } from '../../../connectors/lightspeed';

const env = process.env as Record<string, string>;
const hang = async (where: string) => {
  console.log(`STOPPED ${where}`);
  await new Promise(() => undefined);
};
const creds = new LightspeedCredentials({
  pool: createPool(env.EXTRACTION_DATABASE_URL!, 2),
  accountId: env.LS_ACCOUNT!,
  key: parseTokenKey(env.LIGHTSPEED_TOKEN_KEY!),
  refresh: tokenEndpoint({
    tokenUrl: env.LS_TOKEN_URL!,
    clientId: env.LS_CLIENT_ID!,
    clientSecret: env.LS_CLIENT_SECRET!,
  }),
  hooks: {
    beforeRefresh: env.LS_STOP_AT === 'before-refresh' ? () => hang('before-refresh') : undefined,
    afterPendingSaved: env.LS_STOP_AT === 'after-pending' ? () => hang('after-pending') : undefined,
  },
});
await creds.accessToken();
console.log('DONE');
process.exit(0);
