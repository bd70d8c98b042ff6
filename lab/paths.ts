// Where the lab keeps what it generates: .lab-state/ in the checkout, mode 700.
import * as path from "path";

export const STATE_DIR = path.resolve(__dirname, "..", ".lab-state");
