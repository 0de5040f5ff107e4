/**
 * A parameter decorator whose value a host application's global pipes leave as it is (issue 14):
 * the parameter's reflected type becomes `Object`, which Nest hands to pipes as the metatype, so a
 * `ValidationPipe` (even with `validateCustomDecorators`, `whitelist`, `transform`) does not treat
 * the OAuth server's own objects (parsed parameters, the authenticated client) as DTOs to strip or
 * rebuild.
 */
export function opaqueToPipes<A extends unknown[]>(decorator: (...args: A) => ParameterDecorator): (...args: A) => ParameterDecorator {
  return (...args: A) =>
    (target, key, index) => {
      decorator(...args)(target, key, index);
      if (key === undefined) return;
      const types: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', target, key);
      if (types === undefined) return;
      Reflect.defineMetadata('design:paramtypes', types.map((type, i) => (i === index ? Object : type)), target, key);
    };
}
