import { Logger } from '@nestjs/common';
import { DatabaseAvailability } from './database-availability';

describe('DatabaseAvailability', () => {
  it('logs an outage once when it starts and once when work succeeds again, not once per failed request', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const availability = new DatabaseAvailability();
      for (let i = 0; i < 50; i++) availability.failed('connection', new Error('ECONNREFUSED'));
      expect(warn).toHaveBeenCalledTimes(1);
      expect(availability.recentlyFailing(10_000)).toBe(true);
      availability.succeeded();
      availability.succeeded();
      expect(warn).toHaveBeenCalledTimes(2);
      expect(String(warn.mock.calls[1][0])).toContain('50 failed');
      expect(availability.recentlyFailing(10_000)).toBe(false);
    } finally {
      warn.mockRestore();
    }
  });
});
