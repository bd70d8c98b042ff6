export * from "./slurmConf";
