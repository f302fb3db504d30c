import { z } from 'zod';

/**
 * A line's slug: its URL-safe identifier in the API, and the tag of its group in Kamailio's
 * permissions address file. Lower-case letters, digits and inner dashes, 1-48 characters.
 */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

/** What SLUG_PATTERN asks for, in words (the message of every refusal). */
export const SLUG_RULE = 'lower-case letters, digits and inner dashes, 1-48 characters';

/** @example isSlug('ai-agent') // true; isSlug('demo-') // false */
export function isSlug(text: string): boolean {
  return SLUG_PATTERN.test(text);
}

/** A line's URL-safe identifier, also used as the edge's ACL tag. */
export const SlugSchema = z.string().regex(SLUG_PATTERN, SLUG_RULE).meta({ example: 'ai-agent' });

/** The SIP Call-ID, which identifies a call everywhere: 1-255 visible ASCII, no spaces. */
export const CallIdSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, 'visible ASCII without spaces, as SIP allows')
  .meta({ example: 'a84b4c76e66710@pc33.example.com' });

/** A time with its offset, as every part writes it: ISO 8601 (`new Date().toISOString()`). */
export const IsoTimeSchema = z.iso
  .datetime({ offset: true })
  .meta({ example: '2026-11-21T09:30:00.000Z' });
