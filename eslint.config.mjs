// ESLint 9 flat config: Next.js's rules (React, hooks, a11y, Core Web Vitals) plus typescript-eslint's
// recommended type-aware rules, which catch floating promises and unsafe `any` that tsc lets through.
import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  globalIgnores([
    "lib/generated/**",
    ".next/**",
    ".next-bench/**",
    "node_modules/**",
    "test-results/**",
    "playwright-report/**",
    "tests/.artifacts/**",
    "next-env.d.ts",
  ]),
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // vitest.config.mts is outside tsconfig.json's include (it lists .ts and .tsx only).
        projectService: { allowDefaultProject: ["vitest.config.mts"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Next.js's preset makes these warnings; unused code is an error here so it cannot pile up.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-unused-expressions": "error",
    },
  },
  {
    // Playwright, not React: `useFreshApp` is a test helper and `use` is Playwright's fixture callback.
    files: ["tests/e2e/**"],
    rules: { "react-hooks/rules-of-hooks": "off" },
  },
  {
    // CommonJS files (a `node --require` preload) can only load modules with require().
    files: ["**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
