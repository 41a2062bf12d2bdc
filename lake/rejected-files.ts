import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { rejectedPrefix, type FileDomain } from './layout';

/** A file moved out of incoming/ as unusable, as its reason object records it. */
export interface RejectedFileRecord {
  domain: FileDomain;
  /** Where it was in incoming/. */
  key: string;
  reason: string;
  type: string;
  rejectedAt: string;
  /** Where it is now (archive bucket). */
  rejectedKey: string;
}

/**
 * The newest `limit` rejected files of each domain, newest first. Reads at most `scanKeys` keys per domain (all pages
 * up to that), so the console stays quick however many files were ever rejected.
 */
export async function listRejectedFiles(
  s3: S3Client,
  bucket: string,
  { domains = ['customers', 'loyalty'] as FileDomain[], limit = 20, scanKeys = 5_000 } = {},
): Promise<RejectedFileRecord[]> {
  const found: { domain: FileDomain; key: string; at: number }[] = [];
  for (const domain of domains) {
    let ContinuationToken: string | undefined;
    let seen = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: rejectedPrefix(domain), ContinuationToken }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key?.endsWith('.reason.json')) found.push({ domain, key: o.Key, at: o.LastModified?.getTime() ?? 0 });
      seen += page.KeyCount ?? 0;
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken && seen < scanKeys);
  }
  const newest = found.sort((a, b) => b.at - a.at).slice(0, limit);
  return Promise.all(
    newest.map(async ({ domain, key }) => {
      const body = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const r = JSON.parse(await body.Body!.transformToString()) as Omit<RejectedFileRecord, 'domain' | 'rejectedKey'>;
      return {
        domain,
        key: r.key,
        reason: r.reason,
        type: r.type,
        rejectedAt: r.rejectedAt,
        rejectedKey: key.slice(0, -'.reason.json'.length),
      };
    }),
  );
}
