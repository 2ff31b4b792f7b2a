// A small deny-list of passwords that appear at the top of every breach list. Compared case-insensitively.
export const COMMON_PASSWORDS = new Set([
  "123456789012", "1234567890123", "password1234", "password12345", "passwordpassword", "qwertyuiop12",
  "qwerty123456", "123456123456", "111111111111", "000000000000", "iloveyou1234", "abcdefghijkl",
  "abc123456789", "letmein12345", "welcome12345", "welcome123456", "administrator", "admin1234567",
  "changeme1234", "changemenow1", "football1234", "baseball1234", "monkey123456", "dragon123456",
  "sunshine1234", "princess1234", "trustno11234", "passw0rd1234", "p@ssw0rd1234", "p@ssword1234",
  "qwertyuiopas", "asdfghjkl123", "zxcvbnm12345", "1q2w3e4r5t6y", "1qaz2wsx3edc", "q1w2e3r4t5y6",
  "aaaaaaaaaaaa", "secret123456", "master123456", "superman1234", "batman123456", "correcthorsebatterystaple",
  "financeemail1", "password1!password", "companyname1", "summer202420", "winter202420", "spring202420",
]);

export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) return true;
  // one character repeated, or a plain run of digits, is as weak as anything on the list
  return /^(.)\1+$/.test(lower) || /^\d+$/.test(lower);
}
