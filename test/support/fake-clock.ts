// The tests' fake clock is the one a host gets from the testing entry point.
export { FakeClock } from '../../src/testing/fake-clock';
