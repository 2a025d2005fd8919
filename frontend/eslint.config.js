// Lint rules for the panel: ESLint's and typescript-eslint's recommended sets, with type information.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ["*.js", "*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { URL: "readonly", console: "readonly", process: "readonly" },
    },
  },
  // node:test's describe and it return promises the runner itself awaits.
  { files: ["test/**"], rules: { "@typescript-eslint/no-floating-promises": "off" } },
);
