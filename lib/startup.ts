// Start-up check for the Node.js server (loaded from instrumentation.ts): a bad or missing configuration
// stops the process with a message naming each variable, instead of failing on the first request.
import { env, EnvError } from "./env";

try {
  env();
} catch (err) {
  if (err instanceof EnvError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
