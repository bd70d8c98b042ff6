export * from "./batches";
export * from "./containers";
