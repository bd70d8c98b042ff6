export * from "./aws";
export * from "./cidr";
