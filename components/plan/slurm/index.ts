export * from "./munge";
export * from "./slurmConf";
