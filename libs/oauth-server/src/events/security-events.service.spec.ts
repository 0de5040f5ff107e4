import { Logger } from '@nestjs/common';
import { SecurityEvents } from './security-events.service';

describe('SecurityEvents log levels', () => {
  afterEach(() => jest.restoreAllMocks());

  function levelsFor(emit: (events: SecurityEvents) => void): string[] {
    const calls: string[] = [];
    for (const level of ['log', 'warn', 'debug'] as const) {
      jest.spyOn(Logger.prototype, level).mockImplementation(() => calls.push(level));
    }
    emit(new SecurityEvents());
    return calls;
  }

  it('logs a rotation, the normal course of every refresh, at debug (kept off the hot path)', () => {
    expect(levelsFor((e) => e.emit({ type: 'token_rotated', familyId: 'f', clientId: 'c', generation: 1 }))).toEqual(['debug']);
  });

  it('keeps attacks and failures at warn, other lifecycle events at log', () => {
    expect(levelsFor((e) => e.emit({ type: 'reuse_detected', familyId: 'f', clientId: 'c', generation: 1 }))).toEqual(['warn']);
    expect(levelsFor((e) => e.emit({ type: 'client_auth_failed', reason: 'r' }))).toEqual(['warn']);
    expect(levelsFor((e) => e.emit({ type: 'family_revoked', familyId: 'f', clientId: 'c', reason: 'r' }))).toEqual(['log']);
    expect(levelsFor((e) => e.emit({ type: 'family_created', familyId: 'f', clientId: 'c', grantType: 'g' }))).toEqual(['log']);
  });

  it('still hands every rotation to listeners (metrics)', () => {
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const events = new SecurityEvents();
    const seen: string[] = [];
    events.subscribe((event) => seen.push(event.type));
    events.emit({ type: 'token_rotated', familyId: 'f', clientId: 'c', generation: 1 });
    expect(seen).toEqual(['token_rotated']);
  });

  it('isolates listeners: a throwing or rejecting one fails neither emit nor the others, and is logged once (issue 10 item 16)', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
    const events = new SecurityEvents();
    const seen: string[] = [];
    events.subscribe(() => {
      throw new Error('down');
    });
    events.subscribe(async () => Promise.reject(new Error('async down')));
    events.subscribe((event) => seen.push(event.type));
    const event = { type: 'token_rotated', familyId: 'f', clientId: 'c', generation: 1 } as const;
    expect(() => events.emit(event)).not.toThrow();
    expect(() => events.emit(event)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['token_rotated', 'token_rotated']);
    expect(errors).toHaveBeenCalledTimes(2);
  });

  it('a failing logger does not fail emit either', () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => {
      throw new Error('stdout closed');
    });
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => {
      throw new Error('stdout closed');
    });
    const events = new SecurityEvents();
    expect(() => events.emit({ type: 'reuse_detected', familyId: 'f', clientId: 'c', generation: 1 })).not.toThrow();
  });
});
