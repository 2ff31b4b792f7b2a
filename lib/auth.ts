// next-auth (Auth.js v5): email + password credentials, JWT sessions. The token carries the user id, the user's
// session version when it was issued and the sign-in time, checked on every read (lib/session-token.ts); role and
// organisation are read from the database on every request (lib/session.ts), so changes apply at once.
import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { db } from "./db";
import { isDatabaseFailure } from "./db-errors";
import { env } from "./env";
import { clientAddressFrom } from "./client-address.mjs";
import { sessionTokenCurrent } from "./session-token";
import { authenticate, authenticateWithCode, type SignInResult } from "./sign-in";
import { signInChallengeField, signInCodeSchema, signInSchema } from "./validation/account";

/**
 * Carries why a sign-in was refused to the sign-in action: "invalid", "expired", "throttled:<epoch ms>", or, for the
 * one-time code, "code-required", "code-wrong" or "code-expired".
 */
export class SignInRefused extends CredentialsSignin {
  constructor(code: string) {
    super();
    this.code = code;
  }
}

declare module "next-auth" {
  interface User {
    sessionVersion?: number;
  }
  interface Session {
    /** The user's session version when this sign-in happened (lib/session.ts compares it with the current one). */
    sessionVersion?: number;
    /** When the user signed in (seconds since the epoch); refreshing the token keeps it. */
    signedInAt?: number;
  }
}
declare module "@auth/core/jwt" {
  interface JWT {
    sessionVersion?: number;
    signedInAt?: number;
  }
}

export const { handlers, signIn, signOut, auth } = NextAuth(() => ({
  secret: env().AUTH_SECRET,
  trustHost: true,
  session: { strategy: "jwt", maxAge: env().sessionMaxAgeSeconds },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [
    Credentials({
      // challenge: the browser's, made by the sign-in action, under which a one-time code is kept if one is needed;
      // code: that code, sent with the same challenge instead of the email and password.
      credentials: { email: {}, password: {}, challenge: {}, code: {} },
      async authorize(credentials, request) {
        const clientAddress = clientAddressFrom(request.headers);
        const challenge = signInChallengeField.safeParse(credentials.challenge);
        let result: SignInResult;
        if (credentials.code !== undefined) {
          const code = signInCodeSchema.shape.code.safeParse(credentials.code);
          if (!challenge.success) throw new SignInRefused("code-expired");
          if (!code.success) throw new SignInRefused("code-wrong");
          result = await authenticateWithCode(db, { challenge: challenge.data, code: code.data, clientAddress });
        } else {
          const parsed = signInSchema.safeParse({ email: credentials.email, password: credentials.password });
          if (!parsed.success) throw new SignInRefused("invalid");
          result = await authenticate(
            db,
            {
              email: parsed.data.email,
              password: parsed.data.password,
              clientAddress,
              challenge: challenge.success ? challenge.data : undefined,
            },
            { systemMail: env().systemMail },
          );
        }
        if (!result.ok) {
          throw new SignInRefused(
            result.reason === "throttled" ? `throttled:${result.retryAt.getTime()}` : result.reason,
          );
        }
        return { ...result.user };
      },
    }),
  ],
  callbacks: {
    // `user` is there only at sign-in: the version and time are fixed then, and a refresh carries them unchanged.
    // Every later read checks them; null ends the session and clears its cookie.
    async jwt({ token, user }) {
      if (user) {
        token.sessionVersion = user.sessionVersion;
        token.signedInAt = Math.floor(Date.now() / 1000);
        return token;
      }
      try {
        return (await sessionTokenCurrent(db, token, env().sessionMaxAgeSeconds)) ? token : null;
      } catch (err) {
        // A database that does not answer is no verdict on the session: signing everyone out would lose what they
        // typed. The token stays, and loadMemberContext's own version-checked read fails with the database error.
        if (isDatabaseFailure(err)) return token;
        throw err;
      }
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      session.sessionVersion = token.sessionVersion;
      session.signedInAt = token.signedInAt;
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
