export * from "./network";
export * from "./securityGroup";
