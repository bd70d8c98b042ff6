export * from "./alertmanager";
export * from "./dashboards";
export * from "./grafana";
export * from "./monitoringSteps";
export * from "./prometheus";
