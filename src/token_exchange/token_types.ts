/**
 * The identifiers of token exchange (RFC 8693): its grant type (s2.1) and the token type
 * URIs (s3) this server reads and issues.
 *
 * @module
 */

/** The `grant_type` of token exchange (RFC 8693 s2.1). */
export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

/** An OAuth 2.0 access token issued by the given authorization server (RFC 8693 s3). */
export const ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";

/** A JWT (RFC 8693 s3, RFC 7519). */
export const JWT_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:jwt";
