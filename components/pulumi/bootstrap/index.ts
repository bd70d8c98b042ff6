export * from "./bootstrap";
