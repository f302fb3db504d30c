// SIP header names the bridge checks in more than one part (no zod here: the admin console
// imports these rules without the schema library).

/** A context header's name: `X-` and up to 64 letters, digits or dashes, or `User-to-User`. */
export const CONTEXT_HEADER_NAME =
  /^(?:[Xx]-[A-Za-z0-9-]{1,64}|[Uu][Ss][Ee][Rr]-[Tt][Oo]-[Uu][Ss][Ee][Rr])$/;
/** Names the bridge owns: never context from a caller (the edge removes them before relay). */
export const RESERVED_HEADER = /^[Xx]-(?:[Zz][Ee][Nn][Dd][Ee][Ss][Kk]|[Bb][Rr][Ii][Dd][Gg][Ee])-/;
