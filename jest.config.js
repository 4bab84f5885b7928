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
  projects: [
    tier("unit"),
    tier("policy"),
    // Real MinIO: the global setup builds (if needed) and starts the server. Jest reads
    // testTimeout only globally, so each file of this tier sets its own with jest.setTimeout.
    tier("minio", {
      globalSetup: "<rootDir>/tests/minio/global-setup.ts",
      globalTeardown: "<rootDir>/tests/minio/global-teardown.ts",
    }),
  ],
  reporters: ["default", "<rootDir>/tests/summary-reporter.js"],
};
