export * from "./ami";
export * from "./bastion";
export * from "./controller";
export * from "./instance";
export * from "./platformGuard";
