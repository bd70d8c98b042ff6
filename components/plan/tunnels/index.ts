export * from "./tunnels";
