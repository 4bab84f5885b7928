// Each tier is a Jest project so that `npm run test:<tier>` can select it with --selectProjects.
const tsJest = { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] };

const tier = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: "node",
  transform: tsJest,
  testMatch: [`<rootDir>/tests/${name}/**/*.test.ts`],
  ...extra,
});

module.exports = {
  projects: [tier("unit"), tier("policy")],
  reporters: ["default", "<rootDir>/tests/summary-reporter.js"],
};
