export * from "./tunnelCapacity";
export * from "./types";
