// The password rule the sign-up and change-password forms show. No zod here: those forms import it in the browser.
export const PASSWORD_MIN_LENGTH = 12;
