export * from "./dockerHosts";
export * from "./receivers";
export * from "./schema";
export * from "./stackFile";
export * from "./users";
