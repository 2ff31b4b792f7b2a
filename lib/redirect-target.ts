// Where to go after signing in: only a path on this site, never another origin (open redirect).
// The target is resolved the way a browser would resolve it, against a fixed origin, and kept only when that
// origin is unchanged; what is returned is the resolved path, query and hash, never the text as given.
const ORIGIN = "http://app.invalid";

/** Control characters (tab, CR, LF, …) and backslashes: browsers drop or rewrite them, which turns "/\t/x" into "//x". */
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/** Pages that must not be a destination after signing in. */
const REFUSED = /^\/(sign-in|api)(?:[/?#]|$)/;

export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || !value.startsWith("/") || UNSAFE.test(value)) return fallback;
  let url: URL;
  try {
    url = new URL(value, ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== ORIGIN) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can leave a path that starts with "//" ("/.//evil.example"), which a browser reads as another host.
  if (path.startsWith("//") || REFUSED.test(path)) return fallback;
  return path;
}
