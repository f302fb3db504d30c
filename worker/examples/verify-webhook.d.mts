// Types for verify-webhook.mjs, so the Worker's tests can check the example against real deliveries.
export const TOLERANCE_SECONDS: number;
export function verifySipBridgeSignature(
  signatureHeader: string | null | undefined,
  rawBody: string | Uint8Array,
  secret: string,
  nowSeconds?: number,
): boolean;
