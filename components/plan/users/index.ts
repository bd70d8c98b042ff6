export * from "./homeServer";
export * from "./userSteps";
