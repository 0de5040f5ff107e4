import * as environment from '../src/config/environment';
import { ENVIRONMENT } from '../src/config/environment-settings';
import { TestApp } from './support/test-app';

/**
 * Issue 14 "config parsed once": the entry point parses the environment and hands it to
 * AppModule.forRoot(); no module parses it again, so the boot log, the CLI's warning and every
 * provider read the same values (a second parse could see a changed process.env).
 */
describe('configuration parsed once per process', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    jest.restoreAllMocks();
    await app?.close();
  });

  it('building the whole service parses the environment exactly once, and its providers get that parse', async () => {
    const parse = jest.spyOn(environment, 'loadEnvironment');
    app = await TestApp.create();
    expect(parse).toHaveBeenCalledTimes(1);
    expect(app.app.get(ENVIRONMENT)).toBe(parse.mock.results[0].value);
  });
});
