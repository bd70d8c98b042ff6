export * from "./computeNodes";
export * from "./containerArgs";
export * from "./dockerHosts";
export * from "./pidsLimit";
