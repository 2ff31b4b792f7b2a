// Stand-in for the DNS of the domains the app checks: a dns2 server on 127.0.0.1 answering from a zone you set.
//
// A real DNS server for tests (dns2 over UDP and TCP on 127.0.0.1) serving a zone that a test can change while it
// runs, as someone fixing their DNS would. Names are matched case-insensitively; a name with a CNAME answers any
// type with the CNAME (the resolver follows it); a name not in the zone is NXDOMAIN; a known name without records of
// the asked type answers NOERROR with no answers (NODATA).
//
//   const dns = await startTestDnsServer({ "clinic.example": { txt: ["v=spf1 include:_spf.google.com ~all"] } });
//   new Resolver().setServers([dns.address])   // "127.0.0.1:<port>"
//   dns.setZone({ ... }); dns.queries          // what was asked, in order
//
// startSilentDnsServer() accepts queries and never answers (for timeouts). `{ answerDelayMs }` holds every answer,
// as a slow resolver does; with an empty zone every name is NXDOMAIN (what scripts/bench-watch.ts serves its workers).
import dns2 from "dns2";
import type { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";

const { Packet } = dns2;

export type ZoneEntry = {
  a?: string[];
  aaaa?: string[];
  /** Each TXT record as its text; texts over 255 bytes are split into character-strings as DNS requires. */
  txt?: string[];
  mx?: { exchange: string; priority: number }[];
  cname?: string;
};
export type Zone = Record<string, ZoneEntry>;

export type TestDnsServer = {
  /** "127.0.0.1:<port>", for Resolver.setServers and DNS_SERVERS. */
  address: string;
  queries: { name: string; type: string }[];
  setZone(zone: Zone): void;
  close(): Promise<void>;
};

const TYPE_NAMES = Object.fromEntries(Object.entries(Packet.TYPE).map(([name, code]) => [code, name])) as Record<
  number,
  string
>;

function chunks(text: string): string[] {
  const bytes = Buffer.from(text, "utf8");
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255).toString("utf8"));
  return out.length ? out : [""];
}

/**
 * TCP and UDP on one free port (a resolver retries a long answer over TCP to the same address). TCP takes a free port
 * first; when another process already holds that port for UDP, both try again on another, so parallel test files
 * never collide.
 */
async function listen(server: ReturnType<typeof dns2.createServer>): Promise<number> {
  type Listener = {
    once(event: "listening" | "error", cb: () => void): void;
    off(event: "listening" | "error", cb: () => void): void;
    listen(port: number, address: string): void;
    close(cb?: () => void): void;
    address(): AddressInfo;
  };
  const { udp, tcp } = (server as unknown as { servers: { udp: Listener; tcp: Listener } }).servers;
  // Only this attempt's own listeners come off again: dns2 forwards each socket's errors to the server.
  const bind = (socket: Listener, port: number) =>
    new Promise<boolean>((resolve) => {
      const listening = () => done(true);
      const failed = () => done(false);
      const done = (ok: boolean) => {
        socket.off("listening", listening);
        socket.off("error", failed);
        resolve(ok);
      };
      socket.once("listening", listening);
      socket.once("error", failed);
      socket.listen(port, "127.0.0.1");
    });
  // dns2 re-emits a socket's error on the server: while binding, a port taken elsewhere is expected, not a crash.
  const events = server as unknown as EventEmitter;
  const expected = () => undefined;
  events.on("error", expected);
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      if (!(await bind(tcp, 0))) continue;
      const port = tcp.address().port;
      if (await bind(udp, port)) return port;
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
    throw new Error("No free port for the test DNS server on 127.0.0.1.");
  } finally {
    events.off("error", expected);
  }
}

export async function startTestDnsServer(
  initial: Zone = {},
  options: { answerDelayMs?: number } = {},
): Promise<TestDnsServer> {
  const delayMs = options.answerDelayMs ?? 0;
  const reply = (send: () => unknown) => {
    if (delayMs === 0) send();
    // An answer held past close() has no socket left: its error is dropped.
    else
      setTimeout(
        () =>
          void Promise.resolve()
            .then(send)
            .catch(() => undefined),
        delayMs,
      );
  };
  let zone = normalise(initial);
  const queries: TestDnsServer["queries"] = [];
  const server = dns2.createServer({
    udp: true,
    tcp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = question.name.toLowerCase().replace(/\.$/, "");
      queries.push({ name, type: TYPE_NAMES[question.type] ?? String(question.type) });
      const entry = zone[name];
      if (!entry) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
        reply(() => send(response));
        return;
      }
      const answer = (data: Record<string, unknown>, type = question.type) =>
        response.answers.push({ name: question.name, type, class: Packet.CLASS.IN, ttl: 60, ...data } as never);
      if (entry.cname && question.type !== Packet.TYPE.CNAME) {
        answer({ domain: entry.cname }, Packet.TYPE.CNAME);
        // Answer for the target too when this zone holds it, as a recursive server would.
        const target = zone[entry.cname.toLowerCase()];
        if (target && question.type === Packet.TYPE.TXT)
          for (const text of target.txt ?? [])
            response.answers.push({
              name: entry.cname,
              type: Packet.TYPE.TXT,
              class: Packet.CLASS.IN,
              ttl: 60,
              data: chunks(text),
            } as never);
      } else if (question.type === Packet.TYPE.CNAME && entry.cname) answer({ domain: entry.cname });
      else if (question.type === Packet.TYPE.A) for (const address of entry.a ?? []) answer({ address });
      else if (question.type === Packet.TYPE.AAAA) for (const address of entry.aaaa ?? []) answer({ address });
      else if (question.type === Packet.TYPE.TXT) for (const text of entry.txt ?? []) answer({ data: chunks(text) });
      else if (question.type === Packet.TYPE.MX)
        for (const mx of entry.mx ?? []) answer({ exchange: mx.exchange, priority: mx.priority });
      reply(() => send(response));
    },
  });
  const port = await listen(server);
  return {
    address: `127.0.0.1:${port}`,
    queries,
    setZone(next) {
      zone = normalise(next);
    },
    close: () => server.close(),
  };
}

/** Accepts queries and never answers. */
export async function startSilentDnsServer(): Promise<{ address: string; queries: number; close(): Promise<void> }> {
  const state = { queries: 0 };
  const server = dns2.createServer({
    udp: true,
    tcp: true,
    handle: () => {
      state.queries++;
    },
  });
  const port = await listen(server);
  return {
    address: `127.0.0.1:${port}`,
    get queries() {
      return state.queries;
    },
    close: () => server.close(),
  };
}

function normalise(zone: Zone): Zone {
  return Object.fromEntries(
    Object.entries(zone).map(([name, entry]) => [name.toLowerCase().replace(/\.$/, ""), entry]),
  );
}
