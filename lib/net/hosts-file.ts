// The hosts file (/etc/hosts, or HOSTS_FILE), read as the operating system's resolver reads it before DNS: names that
// Docker's extra_hosts, Kubernetes' hostAliases or an operator's own line give. Read again whenever it changes.
import "server-only";
import fs from "node:fs/promises";
import net from "node:net";

export type HostRecord = { address: string; family: number };

type Parsed = { stamp: string; byName: Map<string, HostRecord[]> };
const parsedFiles = new Map<string, Parsed>();

/** "address name [alias …]" per line, # starting a comment. Names are case-insensitive; the first lines win in order. */
export function parseHostsFile(text: string): Map<string, HostRecord[]> {
  const byName = new Map<string, HostRecord[]>();
  for (const line of text.split("\n")) {
    const [address, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    const family = net.isIP(address ?? "");
    if (!family) continue;
    for (const name of names) {
      const key = name.toLowerCase().replace(/\.$/, "");
      const records = byName.get(key) ?? [];
      if (!records.some((r) => r.address === address)) records.push({ address, family });
      byName.set(key, records);
    }
  }
  return byName;
}

/**
 * The addresses the hosts file gives a name, or [] when it has none. A missing or unreadable file has no names (the
 * system resolver treats it so too); a changed one (size, time or inode) is read again.
 */
export async function hostsFileAddresses(file: string, name: string): Promise<HostRecord[]> {
  let stamp: string;
  try {
    const stat = await fs.stat(file);
    stamp = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    parsedFiles.delete(file);
    return [];
  }
  let parsed = parsedFiles.get(file);
  if (parsed?.stamp !== stamp) {
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch {
      return [];
    }
    parsed = { stamp, byName: parseHostsFile(text) };
    parsedFiles.set(file, parsed);
  }
  return parsed.byName.get(name.toLowerCase().replace(/\.$/, "")) ?? [];
}
