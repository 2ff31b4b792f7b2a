// Where to go after signing in: only a path on this site, never another origin (open redirect).
export function safeRedirectPath(value: unknown, fallback = "/"): string {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) {
    return fallback;
  }
  if (/[\r\n]/.test(value) || value.startsWith("/sign-in") || value.startsWith("/api/")) return fallback;
  return value;
}
