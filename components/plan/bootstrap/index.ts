export * from "./bootstrapSteps";
