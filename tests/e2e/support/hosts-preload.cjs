// Test-only: makes chosen server names resolve to chosen addresses inside a Node process, the way a line in
// /etc/hosts would, without touching /etc/hosts or the app. Never imported by app code; an e2e spec loads it into
// the app it starts with
//
//   NODE_OPTIONS="--require /abs/path/tests/e2e/support/hosts-preload.cjs"  TEST_HOSTS="smtp.gmail.com=127.0.0.1"
//
// TEST_HOSTS is a comma-separated list of name=address pairs (IPv4 or IPv6 address, or NXDOMAIN for a name that
// does not exist; names compare case-insensitively, a trailing dot ignored). For those names dns.lookup, dns.promises.lookup and
// resolve4/resolve6 (module functions, dns.promises, and dns.Resolver / dns.promises.Resolver instances, which
// nodemailer uses) answer with the given address; every other name goes to the real functions unchanged.
// Without TEST_HOSTS nothing is patched.
"use strict";

const dns = require("node:dns");
const net = require("node:net");

function parseHosts(text) {
  const map = new Map();
  for (const entry of String(text || "").split(",")) {
    const trimmed = entry.trim();
    if (!trimmed) continue;
    const eq = trimmed.indexOf("=");
    const name = eq > 0 ? normalise(trimmed.slice(0, eq)) : "";
    const address = eq > 0 ? trimmed.slice(eq + 1).trim() : "";
    if (name && address.toLowerCase() === "nxdomain") {
      map.set(name, { notFound: true });
      continue;
    }
    const family = net.isIP(address);
    if (!name || !family) throw new Error(`hosts-preload: TEST_HOSTS entry "${trimmed}" is not name=IP address`);
    map.set(name, { address, family });
  }
  return map;
}

function normalise(name) {
  return String(name).trim().toLowerCase().replace(/\.$/, "");
}

const hosts = parseHosts(process.env.TEST_HOSTS);

if (hosts.size > 0) {
  const entryFor = (name) => (typeof name === "string" ? hosts.get(normalise(name)) : undefined);

  const notFound = (syscall, hostname, code = dns.NOTFOUND) =>
    Object.assign(new Error(`${syscall} ${code} ${hostname}`), { code, errno: undefined, syscall, hostname });

  /** What dns.lookup would answer for a mapped name: { all, result } or an error. */
  function answerLookup(hostname, options) {
    const opts = typeof options === "number" ? { family: options } : options || {};
    let family = opts.family;
    if (family === "IPv4") family = 4;
    if (family === "IPv6") family = 6;
    const entry = entryFor(hostname);
    if (entry.notFound || (family && Number(family) !== entry.family))
      return { error: notFound("getaddrinfo", hostname) };
    const record = { address: entry.address, family: entry.family };
    return { all: Boolean(opts.all), record };
  }

  // dns.lookup(hostname[, options], callback)
  const realLookup = dns.lookup;
  function lookup(hostname, options, callback) {
    if (typeof options === "function") {
      callback = options;
      options = undefined;
    }
    if (!entryFor(hostname) || typeof callback !== "function") return realLookup.apply(this, arguments);
    const answer = answerLookup(hostname, options);
    process.nextTick(() => {
      if (answer.error) return callback(answer.error);
      if (answer.all) return callback(null, [answer.record]);
      return callback(null, answer.record.address, answer.record.family);
    });
    return {};
  }
  dns.lookup = lookup;

  // dns.promises.lookup(hostname[, options]) (the same object as require("node:dns/promises"))
  const promises = dns.promises;
  const realPromisesLookup = promises.lookup;
  promises.lookup = function (hostname, options) {
    if (!entryFor(hostname)) return realPromisesLookup.apply(this, arguments);
    const answer = answerLookup(hostname, options);
    if (answer.error) return Promise.reject(answer.error);
    return Promise.resolve(answer.all ? [answer.record] : answer.record);
  };

  /** resolve4/resolve6 answers: the address when its family matches, else "no data" (as for a name without that record). */
  function answerResolve(hostname, family, options) {
    const entry = entryFor(hostname);
    if (entry.notFound) return { error: notFound(family === 4 ? "queryA" : "queryAaaa", hostname) };
    if (entry.family !== family)
      return { error: notFound(family === 4 ? "queryA" : "queryAaaa", hostname, dns.NODATA) };
    const withTtl = options && typeof options === "object" && options.ttl;
    return { value: [withTtl ? { address: entry.address, ttl: 300 } : entry.address] };
  }

  function patchCallbackResolve(target, name, family) {
    const real = target[name];
    if (typeof real !== "function") return;
    target[name] = function (hostname, options, callback) {
      if (typeof options === "function") {
        callback = options;
        options = undefined;
      }
      if (!entryFor(hostname) || typeof callback !== "function") return real.apply(this, arguments);
      const answer = answerResolve(hostname, family, options);
      process.nextTick(() => (answer.error ? callback(answer.error) : callback(null, answer.value)));
      return {};
    };
  }

  function patchPromiseResolve(target, name, family) {
    const real = target[name];
    if (typeof real !== "function") return;
    target[name] = function (hostname, options) {
      if (!entryFor(hostname)) return real.apply(this, arguments);
      const answer = answerResolve(hostname, family, options);
      return answer.error ? Promise.reject(answer.error) : Promise.resolve(answer.value);
    };
  }

  patchCallbackResolve(dns, "resolve4", 4);
  patchCallbackResolve(dns, "resolve6", 6);
  if (dns.Resolver) {
    patchCallbackResolve(dns.Resolver.prototype, "resolve4", 4);
    patchCallbackResolve(dns.Resolver.prototype, "resolve6", 6);
  }
  patchPromiseResolve(promises, "resolve4", 4);
  patchPromiseResolve(promises, "resolve6", 6);
  if (promises.Resolver) {
    patchPromiseResolve(promises.Resolver.prototype, "resolve4", 4);
    patchPromiseResolve(promises.Resolver.prototype, "resolve6", 6);
  }

  // ESM `import { lookup } from "node:dns"` sees the patched functions too.
  require("node:module").syncBuiltinESMExports();
}
