export * from "./tunnelCapacity";
