// The policy pack imports this module from its own package, so it stays free of Pulumi.
export * from "./actions";
export * from "./document";
export * from "./roles";
export * from "./validate";
export * from "./evaluator";
