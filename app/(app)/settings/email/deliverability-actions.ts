"use server";
import { refreshFinanceEmail } from "./refresh";
import { z } from "zod";
import { memberAction } from "@/lib/action";
import { db } from "@/lib/db";
import { appDnsResolver, runDomainCheck } from "@/lib/deliverability/domain-checks";
import { env } from "@/lib/env";

/** "Check again": looks the From domain's records up now and keeps the result (owners and admins). */
export const recheckDomainAction = memberAction(
  { name: "recheckDomain", minimum: "ADMIN", schema: z.object({}) },
  async (_input, ctx) => {
    const run = await runDomainCheck(db, appDnsResolver(env().dnsServers), ctx.org.id);
    if (!run) return { ok: false, message: "Save the settings first." };
    refreshFinanceEmail();
    return { ok: true, message: "Checked again." };
  },
);
