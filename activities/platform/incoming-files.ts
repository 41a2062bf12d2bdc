import {
  CopyObjectCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  archiveKey,
  cleanEtag,
  dayPartition,
  fileId,
  fileNameOf,
  incomingPrefix,
  rejectedKey,
  rejectedReasonKey,
  type FileDomain,
} from '../../lake/layout';

/** One version of an incoming file, as the workflows address it. */
export interface IncomingFile {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  fileName: string;
  /** `dt=` of the archive and quarantine partitions: the day the file arrived. */
  day: string;
  fileId: string;
}

export function describeListed(
  domain: FileDomain,
  bucket: string,
  o: { key: string; etag: string; size: number; lastModified: Date },
): IncomingFile {
  // An archived copy (`…/<name>@<etag>`, re-run in place) keeps its original name, so its file id, and with it the
  // balances' once-per-file guard, are those of the version it copies.
  const versioned = fileNameOf(o.key, domain);
  const suffix = `@${cleanEtag(o.etag)}`;
  const fileName = versioned.endsWith(suffix) ? versioned.slice(0, -suffix.length) : versioned;
  return {
    bucket,
    key: o.key,
    etag: cleanEtag(o.etag),
    size: o.size,
    fileName,
    day: dayPartition(o.lastModified),
    fileId: fileId(fileName, o.etag),
  };
}

/** Why a file was rejected as a whole, and where it went. */
export interface RejectedFile {
  reason: string;
  /** The ApplicationFailure type that rejected it (InvalidFileHeader, EmptyFile, NoUsableRows, …). */
  type: string;
  /** The file's new place (archive bucket), or null for a re-run in place (keepSource), which is not moved. */
  key: string;
  reasonKey: string;
}

/** One page of an incoming listing; `next` continues it. */
export interface IncomingPage {
  files: IncomingFile[];
  next?: string;
}

/** S3 side of file pipelines: find incoming files, describe one, archive it once processed, or reject it. */
export function createIncomingFileActivities(deps: { s3: S3Client; archiveBucket: string }) {
  const { s3, archiveBucket } = deps;
  async function describe(domain: FileDomain, key: string, bucket = archiveBucket): Promise<IncomingFile> {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return describeListed(domain, bucket, {
      key,
      etag: head.ETag!,
      size: head.ContentLength ?? 0,
      lastModified: head.LastModified!,
    });
  }
  /** Copies the incoming object (this version only) to `target`; false when it is gone (a retry after the delete). */
  async function copyVersion(file: IncomingFile, target: string): Promise<boolean> {
    try {
      await s3.send(
        new CopyObjectCommand({
          Bucket: archiveBucket,
          Key: target,
          CopySource: `${file.bucket}/${encodeURIComponent(file.key).replace(/%2F/g, '/')}`,
          CopySourceIfMatch: `"${file.etag}"`,
        }),
      );
      return true;
    } catch (err) {
      const gone = err instanceof NotFound || (err as { name?: string }).name === 'NoSuchKey';
      if (!gone) throw err;
      await s3.send(new HeadObjectCommand({ Bucket: archiveBucket, Key: target }));
      return false;
    }
  }

  return {
    /** One page (≤ `limit` keys, S3 returns at most 1,000) of incoming/<domain>/<under>; pass `next` for the rest. */
    async listIncomingFiles(domain: FileDomain, limit = 100, under = '', next?: string): Promise<IncomingPage> {
      const out = await s3.send(
        new ListObjectsV2Command({
          Bucket: archiveBucket,
          Prefix: `${incomingPrefix(domain)}${under}`,
          MaxKeys: limit,
          ContinuationToken: next,
        }),
      );
      const files = (out.Contents ?? [])
        .filter((o) => o.Key && !o.Key.endsWith('/'))
        .map((o) =>
          describeListed(domain, archiveBucket, {
            key: o.Key!,
            etag: o.ETag!,
            size: o.Size ?? 0,
            lastModified: o.LastModified!,
          }),
        );
      return { files, next: out.IsTruncated ? out.NextContinuationToken : undefined };
    },

    describeIncomingFile: describe,

    /** As `describeIncomingFile`, but null when there is no such object (a workflow decides what that means). */
    async findIncomingFile(domain: FileDomain, key: string, bucket = archiveBucket): Promise<IncomingFile | null> {
      try {
        return await describe(domain, key, bucket);
      } catch (err) {
        if (err instanceof NotFound || (err as { name?: string }).name === 'NoSuchKey') return null;
        throw err;
      }
    },

    /**
     * Copies the raw file to `archive/<domain>/dt=…/` and only then removes it from incoming. Idempotent: once the
     * incoming object is gone (a retry after the delete), the archived copy is what remains.
     */
    async archiveIncomingFile(domain: FileDomain, file: IncomingFile): Promise<{ archiveKey: string }> {
      const target = archiveKey(domain, file);
      if (await copyVersion(file, target))
        await s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.key }));
      return { archiveKey: target };
    },

    /**
     * Moves a file that cannot be used at all out of incoming/ to `rejected/<domain>/dt=…/<name>@<etag>`, with its
     * reason beside it (`….reason.json`, shown by the ops console), so no later scan runs it again. The reason is
     * written first: a file is never out of incoming/ without one. `move: false` (a re-run in place) only records.
     */
    async rejectIncomingFile(
      domain: FileDomain,
      file: IncomingFile,
      why: { reason: string; type: string },
      move = true,
    ): Promise<RejectedFile> {
      const key = rejectedKey(domain, file);
      const reasonKey = rejectedReasonKey(domain, file);
      const record = { ...why, key: file.key, etag: file.etag, size: file.size, rejectedAt: new Date().toISOString() };
      await s3.send(
        new PutObjectCommand({
          Bucket: archiveBucket,
          Key: reasonKey,
          Body: JSON.stringify(record),
          ContentType: 'application/json',
        }),
      );
      if (!move) return { ...why, key: file.key, reasonKey };
      if (await copyVersion(file, key)) await s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.key }));
      return { ...why, key, reasonKey };
    },
  };
}

/** The incoming-file activities, which the customers and loyalty factories both include (the same code twice). */
export const INCOMING_FILE_ACTIVITY_NAMES: ReadonlySet<string> = new Set(
  Object.keys(createIncomingFileActivities({ s3: undefined as never, archiveBucket: '' })),
);
