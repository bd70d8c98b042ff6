export * from "./batches";
export * from "./containers";
export * from "./dcgm";
export * from "./image";
export * from "./share";
