// An error meant for the person using the app: plain words, optionally tied to one form field.
// Anything else thrown is logged and shown as a generic failure, so internals never reach a page.
export class UserFacingError extends Error {
  constructor(
    message: string,
    public readonly field?: string,
  ) {
    super(message);
    this.name = "UserFacingError";
  }
}
