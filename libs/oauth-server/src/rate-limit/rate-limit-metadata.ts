import type { Request } from 'express';

/** Metadata key: which per-IP counter (`AddressLimit`) a route is charged to. */
export const ADDRESS_LIMIT = 'rateLimit:addressLimit';

/** The per-IP counter key charged for a request, for the refund of `ClientQuotaInterceptor`. */
export const chargedAddressKeys = new WeakMap<Request, string>();
