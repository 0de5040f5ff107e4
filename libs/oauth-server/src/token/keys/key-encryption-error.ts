import { ConfigurationError } from '../../config/configuration-error';

/**
 * A stored key that cannot be opened with the configured key-encryption key(s), or a KEK that is
 * not a 256-bit key. A ConfigurationError, so boot and the CLI print it as one line and exit.
 */
export class KeyEncryptionError extends ConfigurationError {
  override name = 'KeyEncryptionError';
}
