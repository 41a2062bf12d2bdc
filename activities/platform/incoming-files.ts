import {
  CopyObjectCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  archiveKey,
  cleanEtag,
  dayPartition,
  fileId,
  fileNameOf,
  incomingPrefix,
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
  const fileName = fileNameOf(o.key, domain);
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

/** S3 side of file pipelines: find incoming files, describe one, archive it once processed. */
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
  return {
    async listIncomingFiles(domain: FileDomain, limit = 100, under = ''): Promise<IncomingFile[]> {
      const out = await s3.send(
        new ListObjectsV2Command({
          Bucket: archiveBucket,
          Prefix: `${incomingPrefix(domain)}${under}`,
          MaxKeys: limit,
        }),
      );
      return (out.Contents ?? [])
        .filter((o) => o.Key && !o.Key.endsWith('/'))
        .map((o) =>
          describeListed(domain, archiveBucket, {
            key: o.Key!,
            etag: o.ETag!,
            size: o.Size ?? 0,
            lastModified: o.LastModified!,
          }),
        );
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
      const target = archiveKey(domain, file.day, file.fileName);
      try {
        await s3.send(
          new CopyObjectCommand({
            Bucket: archiveBucket,
            Key: target,
            CopySource: `${file.bucket}/${encodeURIComponent(file.key).replace(/%2F/g, '/')}`,
            CopySourceIfMatch: `"${file.etag}"`,
          }),
        );
      } catch (err) {
        const gone = err instanceof NotFound || (err as { name?: string }).name === 'NoSuchKey';
        if (!gone) throw err;
        await s3.send(new HeadObjectCommand({ Bucket: archiveBucket, Key: target }));
        return { archiveKey: target };
      }
      await s3.send(new DeleteObjectCommand({ Bucket: file.bucket, Key: file.key }));
      return { archiveKey: target };
    },
  };
}

/** The incoming-file activities, which the customers and loyalty factories both include (the same code twice). */
export const INCOMING_FILE_ACTIVITY_NAMES: ReadonlySet<string> = new Set(
  Object.keys(createIncomingFileActivities({ s3: undefined as never, archiveBucket: '' })),
);
