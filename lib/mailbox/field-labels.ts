// The finance email form's field labels, in a module without zod so the browser can name a field in a message.
export const EMAIL_SETTINGS_FIELD_LABELS = {
  provider: "Provider",
  host: "Server",
  port: "TLS Port",
  security: "Security",
  user: "User",
  password: "Password",
  fromName: "From name",
  fromAddress: "From address",
  replyTo: "Reply-to",
} as const;

export type EmailSettingsField = keyof typeof EMAIL_SETTINGS_FIELD_LABELS;
