// next-auth (Auth.js v5): email + password credentials, JWT sessions. The token carries only the user id;
// role and organisation are read from the database on every request (lib/session.ts), so changes apply at once.
import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { db } from "./db";
import { env } from "./env";
import { clientAddressFrom } from "./client-address.mjs";
import { authenticate } from "./sign-in";
import { signInSchema } from "./validation/account";

/** Carries why a sign-in was refused to the sign-in action: "invalid", "expired" or "throttled:<epoch ms>". */
export class SignInRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

export const { handlers, signIn, signOut, auth } = NextAuth(() => ({
  secret: env().AUTH_SECRET,
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials, request) {
        const parsed = signInSchema.safeParse({ email: credentials.email, password: credentials.password });
        if (!parsed.success) throw new SignInRefused("invalid");
        const result = await authenticate(db, {
          email: parsed.data.email,
          password: parsed.data.password,
          clientAddress: clientAddressFrom(request.headers),
        });
        if (!result.ok) {
          throw new SignInRefused(result.reason === "throttled" ? `throttled:${result.retryAt.getTime()}` : result.reason);
        }
        return { id: result.user.id, email: result.user.email, name: result.user.name };
      },
    }),
  ],
  callbacks: {
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  logger: {
    // A refused sign-in is an expected outcome, not an error worth a stack trace in the log.
    error(error) {
      if (error instanceof CredentialsSignin) return;
      console.error(`[auth] ${error.name}: ${error.message}`);
    },
  },
}));
