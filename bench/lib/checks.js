'use strict';
// Response checks shared by the scenarios (run in the load generator on every 200 answer; a throw
// is counted as a failed check by bench/load.js). Non-200 answers are counted by autocannon itself.

function fail(message) {
  throw new Error(message);
}

/** A token response (RFC 6749 §5.1): Bearer access token, expires_in; a refresh token when `refresh`. */
function tokenResponse(body, { refresh, previous } = {}) {
  const json = JSON.parse(body);
  if (typeof json.access_token !== 'string' || json.access_token.length < 16) fail('no access_token');
  if (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer') fail(`token_type ${json.token_type}`);
  if (typeof json.expires_in !== 'number' || json.expires_in <= 0) fail('no expires_in');
  if (refresh) {
    if (typeof json.refresh_token !== 'string' || json.refresh_token.length < 16) fail('no refresh_token');
    // Rotation: the grant must hand out a new refresh token, and the scenario sends it next.
    if (json.refresh_token === previous) fail('refresh token not rotated');
  } else if (json.refresh_token !== undefined) {
    fail('unexpected refresh_token');
  }
  return json;
}

/** An RFC 7662 §2.2 answer for a live token. */
function activeIntrospection(body) {
  const json = JSON.parse(body);
  // An inactive answer is a 200 too, but would measure the wrong path: a failed check.
  if (json.active !== true) fail('token introspected as inactive');
  if (typeof json.exp !== 'number' || typeof json.client_id !== 'string') fail('introspection answer without exp/client_id');
  return json;
}

module.exports = { tokenResponse, activeIntrospection };
