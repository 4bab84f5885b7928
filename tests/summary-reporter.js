// Prints one plain closing line ("jest: N passed, N failed, N skipped") that CI can read.
// It is written when the process exits so that it stands after Jest's own summary.
const fs = require("fs");

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const skipped = numPendingTests + numTodoTests;
    const line = `jest: ${numPassedTests} passed, ${numFailedTests} failed, ${skipped} skipped\n`;
    process.once("exit", () => fs.writeSync(1, `\n${line}`));
  }
}

module.exports = SummaryReporter;
