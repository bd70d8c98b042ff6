export * from "./contentHash";
export * from "./generated";
export * from "./stepReview";
export * from "./steps";
export * from "./templates";
