export * from "./engineConfig";
export * from "./runtimeTuning";
