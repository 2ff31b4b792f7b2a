// mailauth ships types for its entry points but not for the DMARC record lookup used here.
declare module "mailauth/lib/dmarc/get-dmarc-record" {
  type Resolve = (name: string, rrtype: string) => Promise<unknown>;
  /** The DMARC record that applies to the domain (its own, or its organisational domain's), parsed; false if none. */
  export default function getDmarcRecord(
    domain: string,
    resolver?: Resolve,
    opts?: { strict?: boolean },
  ): Promise<Record<string, unknown> | false>;
}
