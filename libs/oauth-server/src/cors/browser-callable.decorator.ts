import { SetMetadata } from '@nestjs/common';

/** Metadata key of `@BrowserCallable()`. */
export const BROWSER_CALLABLE = 'cors:browserCallable';

/**
 * Marks an OAuth route a browser client calls cross-origin (the token and revocation endpoints,
 * those `CorsPreflightController` answers). `CorsErrorsGuard` then makes the errors raised before
 * client authentication succeeded readable by the page.
 */
export const BrowserCallable = (): MethodDecorator & ClassDecorator => SetMetadata(BROWSER_CALLABLE, true);
