export * from "./computeNodes";
export * from "./pidsLimit";
