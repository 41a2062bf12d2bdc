import { describe, expect, it } from 'vitest';
import { customersImportWorkflowId, loyaltyConvertWorkflowId } from '../../../domain/platform/file-workflows';
import { csvLine } from '../../../lake/csv-text';
import { archiveKey, fileId, fileNameOf, loyaltyPartitionKey, quarantinePartKey } from '../../../lake/layout';

describe('file pipeline layout', () => {
  it('derives workflow ids from object key and ETag (quotes stripped), so each file version runs once', () => {
    expect(customersImportWorkflowId('incoming/customers/a.csv', '"abc"')).toBe(
      'customers-import/incoming/customers/a.csv@abc',
    );
    expect(loyaltyConvertWorkflowId('incoming/loyalty/x/p.csv', 'e1')).toBe(
      'loyalty-convert/incoming/loyalty/x/p.csv@e1',
    );
  });

  it('files archive, quarantine and Parquet under stable, partitioned keys', () => {
    const name = fileNameOf('incoming/customers/store-7/day.csv', 'customers');
    expect(name).toBe('store-7__day.csv');
    const v = { day: '2024-05-01', fileName: name, etag: '"e1"' };
    expect(archiveKey('customers', v)).toBe('archive/customers/dt=2024-05-01/store-7__day.csv@e1');
    expect(quarantinePartKey('customers', v, 2501)).toBe(
      'quarantine/customers/dt=2024-05-01/store-7__day.csv@e1/rows-0000002501.csv',
    );
    // Another version of the same name on the same day: nothing of the first is overwritten.
    const resent = { ...v, etag: 'e2' };
    expect(archiveKey('customers', resent)).not.toBe(archiveKey('customers', v));
    expect(quarantinePartKey('customers', resent, 2501)).not.toBe(quarantinePartKey('customers', v, 2501));
    expect(loyaltyPartitionKey('2024-03', fileId('p.csv', '"e1"'))).toBe(
      'loyalty/points/month=2024-03/p.csv@e1.parquet',
    );
  });

  it('quotes CSV fields only when needed', () => {
    expect(csvLine([1, 'a', 'b,c', 'say "hi"', ' pad'])).toBe('1,a,"b,c","say ""hi"""," pad"\r\n');
  });
});
