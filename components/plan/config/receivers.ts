// Alertmanager receivers from the stack config. A receiver's secret (a webhook or
// Slack URL carrying a token, an SMTP password) never enters the plan: the plan
// names it (alertSecretName) and each adapter supplies it on the step's stdin.
import { z } from "zod";
import { Check, uniqueBy } from "./check";

const receiverName = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, "must be lower-case letters, digits or '-', starting with a letter");
const httpsUrl = z.string().regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[^\s"'\\]*)?$/,
    "must be an https:// URL without spaces or quotes (alerts carry host names and job details)");
const email = z.string().regex(/^[^\s@"'\\]+@[A-Za-z0-9.-]+$/, "must be an e-mail address");

const webhook = z.object({ name: receiverName, type: z.literal("webhook"), url: httpsUrl }).strict();
const slack = z.object({
    name: receiverName, type: z.literal("slack"), url: httpsUrl,
    channel: z.string().regex(/^[#@][A-Za-z0-9._-]{1,80}$/, "must be a #channel or @user"),
}).strict();
const emailReceiver = z.object({
    name: receiverName, type: z.literal("email"), to: email, from: email,
    smarthost: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, "must be host:port of the SMTP server"),
    authUsername: z.string().regex(/^[^\s"'\\]{1,256}$/, "must be a user name without spaces or quotes").optional(),
    // Printable ASCII without the single quote: the step writes it into a single-quoted YAML scalar.
    authPassword: z.string().regex(/^[ -&(-~]{1,256}$/, "must be 1-256 printable ASCII characters without '").optional(),
}).strict().refine((r) => (r.authUsername === undefined) === (r.authPassword === undefined),
    { message: "needs authUsername and authPassword together, or neither", path: ["authPassword"] });

export const alertReceiver = z.discriminatedUnion("type", [webhook, slack, emailReceiver]);
export const alertReceivers = z.array(alertReceiver);
export type AlertReceiverConfig = z.output<typeof alertReceiver>;

/** A receiver as the plan keeps it: everything but the secret. */
export type ReceiverPlan =
    | { name: string; type: "webhook" }
    | { name: string; type: "slack"; channel: string }
    | { name: string; type: "email"; to: string; from: string; smarthost: string; authUsername?: string };

/** The generated name under which a receiver's secret reaches the controller. */
export const alertSecretName = (receiver: string) => `alertSecret/${receiver}` as const;

/** The marker that stands for a receiver's secret in the planned alertmanager.yml. */
export const alertSecretMarker = (receiver: string) => `@ALERT_SECRET_${receiver}@`;

export function receiverPlan(r: AlertReceiverConfig): ReceiverPlan {
    switch (r.type) {
        case "webhook": return { name: r.name, type: r.type };
        case "slack": return { name: r.name, type: r.type, channel: r.channel };
        case "email": return { name: r.name, type: r.type, to: r.to, from: r.from, smarthost: r.smarthost,
            ...(r.authUsername ? { authUsername: r.authUsername } : {}) };
    }
}

/** A receiver's secret, when it has one: the URL of a webhook or Slack receiver, an e-mail receiver's password. */
export function receiverSecret(r: AlertReceiverConfig): string | undefined {
    return r.type === "email" ? r.authPassword : r.url;
}

/** Secrets by generated name, for the adapters. */
export function alertSecrets(receivers: AlertReceiverConfig[]): Record<string, string> {
    return Object.fromEntries(receivers.flatMap((r) => {
        const s = receiverSecret(r);
        return s === undefined ? [] : [[alertSecretName(r.name), s]];
    }));
}

/** No two receivers by one name: a route names its receiver. */
export const uniqueReceiverNames: Check<{ alertReceivers: AlertReceiverConfig[] }> = (c, issue) =>
    uniqueBy(c.alertReceivers, (r) => r.name, "alertReceivers", "name", issue);

/**
 * What an error message may show of a receiver's value: a URL keeps its scheme and
 * host (its path carries the token), a password only its length.
 */
export function redactReceiverValue(path: PropertyKey[], value: unknown): unknown {
    const key = path[path.length - 1];
    if (key === "url" && typeof value === "string") {
        const m = /^([a-z]+:\/\/[^/]*)(.*)$/i.exec(value);
        return m ? `${m[1]}${m[2] ? "/…(redacted)" : ""}` : `(redacted, ${value.length} characters)`;
    }
    if (key === "authPassword") return `(redacted, ${String(value).length} characters)`;
    if (typeof key === "number" || key === "alertReceivers") {
        const redact = (r: unknown) => (r && typeof r === "object"
            ? Object.fromEntries(Object.entries(r).map(([k, v]) => [k, redactReceiverValue([k], v)])) : r);
        return Array.isArray(value) ? value.map(redact) : redact(value);
    }
    return value;
}
