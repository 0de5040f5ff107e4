/** A configuration the server cannot run with; its message is one line, shown as is. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}
