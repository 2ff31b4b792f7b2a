// Lists of ports an outbound connection may use, as an operator writes them: comma-separated ports or ranges like
// 2500-2599. The test send allows mail ports only and webhooks HTTPS's port only, so neither can scan a network.

export type PortRule = { ports: number[]; ranges: [number, number][] };

const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535;

/** Parses a port list; `fallback` when unset or blank, null when any entry is not a port or a range of ports. */
export function parsePortRule(text: string | undefined, fallback: PortRule): PortRule | null {
  if (text === undefined || text.trim() === "") return fallback;
  const rule: PortRule = { ports: [], ranges: [] };
  for (const entry of text.split(",").map((e) => e.trim())) {
    const range = /^(\d{1,5})-(\d{1,5})$/.exec(entry);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])];
      if (!isPort(from) || !isPort(to) || from > to) return null;
      rule.ranges.push([from, to]);
    } else if (/^\d{1,5}$/.test(entry) && isPort(Number(entry))) {
      rule.ports.push(Number(entry));
    } else {
      return null;
    }
  }
  return rule;
}

export function isPortAllowed(rule: PortRule, port: number): boolean {
  return rule.ports.includes(port) || rule.ranges.some(([from, to]) => port >= from && port <= to);
}

/** "25, 465, 587 or 2525": the allowed ports in words. */
export function describePorts(rule: PortRule): string {
  const names = [...rule.ports.map(String), ...rule.ranges.map(([from, to]) => `${from}-${to}`)];
  return names.length > 1 ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}` : names[0];
}
