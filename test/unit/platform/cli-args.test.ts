import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../cli/commands';

describe('backbone command line', () => {
  it('takes `--name value` and `--name=value` alike; flags never swallow the next argument', () => {
    expect(
      parseCommandLine(['backfill', 'spring', '--store', 'C', '--ids=1,2', '--sub-department', 'PRODUCE', '--no-wait']),
    ).toEqual({
      positionals: ['backfill', 'spring'],
      options: { store: 'C', ids: '1,2', 'sub-department': 'PRODUCE', 'no-wait': true },
    });
    expect(parseCommandLine(['resync', '--force', '42'])).toEqual({
      positionals: ['resync', '42'],
      options: { force: true },
    });
    expect(
      parseCommandLine(['signal-convert-loyalty', 'incoming/loyalty/x.csv', '--bucket', 'b', '--no-wait']),
    ).toEqual({
      positionals: ['signal-convert-loyalty', 'incoming/loyalty/x.csv'],
      options: { bucket: 'b', 'no-wait': true },
    });
    expect(parseCommandLine(['export-loyalty', '--lookback', '--no-wait'])).toEqual({
      positionals: ['export-loyalty'],
      options: { lookback: true, 'no-wait': true },
    });
  });
});
