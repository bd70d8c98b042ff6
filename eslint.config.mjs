// Type-aware rules are scoped to the Pulumi program: they need the type checker,
// which is slow on @pulumi/aws, and only program code handles Outputs.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  { ignores: ["node_modules/**", "bin/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["index.ts", "components/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  // The layer boundary (docs/design/architecture.md): the pure plan and the lab run without
  // Pulumi, so they import neither @pulumi packages nor components/pulumi/.
  // test/boundary.test.ts proves this rule still fires; .dependency-cruiser.cjs also
  // forbids reaching Pulumi through a third module, and any import cycle.
  {
    files: ["components/plan/**/*.ts", "lab/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", {
        patterns: [
          { group: ["@pulumi/*"], message: "components/plan/ and lab/ are pure: Pulumi stays in components/pulumi/." },
          { regex: "^\\.{1,2}/(.+/)?pulumi(/|$)", message: "components/plan/ and lab/ must not import components/pulumi/: move what both need into components/plan/." },
        ],
      }],
    },
  },
);
