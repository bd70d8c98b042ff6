export * from "./adminKey";
export * from "./secrets";
