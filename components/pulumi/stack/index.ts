export * from "./runtimeTuning";
export * from "./stackConfig";
