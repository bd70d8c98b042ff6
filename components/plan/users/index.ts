export * from "./homeServer";
export * from "./logins";
export * from "./userSteps";
