// The alphabets of names in a spec, with the words used when one does not fit.

/** App names become file names, URL segments and (later) Kubernetes object names. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
export const DNS_LABEL_EXPECTED = 'a DNS label: lowercase letters, digits and dashes, at most 63, e.g. shop';

/** Versions become file names and instance ids on the local agent (same rule as its supervisor). */
export const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const VERSION_EXPECTED = 'a version name: letters, digits, dot, dash and underscore, e.g. v3 or 1.4.2';

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENV_NAME_EXPECTED =
  'an environment variable name: letters, digits and underscore, not starting with a digit';
export const ENV_VALUE_EXPECTED = 'a string (quote numbers and booleans, e.g. "0.3")';

/** RFC 9110 token: what a header or cookie name may be made of. */
export const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
export const HEADER_EXPECTED = 'an HTTP header name, e.g. x-beta';
export const COOKIE_EXPECTED = 'a cookie name, e.g. gl-version';

/** Kubernetes-style label keys (optional DNS prefix and slash) and values. */
export const LABEL_KEY =
  /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
export const LABEL_KEY_EXPECTED = 'a label key such as team or example.com/team';
export const LABEL_VALUE_EXPECTED = 'a string label value (quote numbers and booleans)';
