import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import { messageSubject } from './message-subjects';

describe('microservice message subjects', () => {
  it('default to oauth.<name>', () => {
    expect(messageSubject('issue', {})).toBe('oauth.issue');
  });

  it('follow MICROSERVICE_SUBJECT_PREFIX, on the controller too', () => {
    const previous = process.env.MICROSERVICE_SUBJECT_PREFIX;
    process.env.MICROSERVICE_SUBJECT_PREFIX = 'auth.eu';
    try {
      jest.isolateModules(() => {
        const { OAuthMessagesController } = require('./oauth-messages.controller');
        const patterns = ['issue', 'introspect', 'revoke'].map((method) => Reflect.getMetadata(PATTERN_METADATA, OAuthMessagesController.prototype[method]));
        expect(patterns).toEqual([['auth.eu.issue'], ['auth.eu.introspect'], ['auth.eu.revoke']]);
      });
    } finally {
      if (previous === undefined) delete process.env.MICROSERVICE_SUBJECT_PREFIX;
      else process.env.MICROSERVICE_SUBJECT_PREFIX = previous;
    }
  });
});
