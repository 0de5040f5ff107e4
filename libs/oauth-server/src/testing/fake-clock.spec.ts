import { FakeClock } from './fake-clock';

describe('FakeClock', () => {
  it('stands still until moved, by set or advance (seconds)', () => {
    const clock = new FakeClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(2.5);
    expect(clock.now()).toBe(3_500);
    clock.set(Date.UTC(2027, 0, 1));
    expect(clock.now()).toBe(Date.UTC(2027, 0, 1));
  });
});
