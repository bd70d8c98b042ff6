// Who logs in: the cluster users from config, each with a login on the controller
// and a home on premises. admin is the operator's, and no cluster user.
import { ClusterLayout } from "../layout";

/** Cluster users from config: the ones with a login on the controller, whose home it mounts. */
export const loginUsers = (p: ClusterLayout) => p.users.filter((u) => u.name !== p.adminUser);
