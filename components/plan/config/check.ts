// What a config check is: a named function over the parsed config that reports each
// problem on the key it is about. The schema runs them in order (schema.ts CHECKS).

/** Reports one problem on a config key's path (["computeNodes", 2, "name"]). */
export type Issue = (path: (string | number)[], message: string) => void;

/** A relation between values that no one field's schema can see. */
export type Check<C> = (c: C, issue: Issue) => void;

/**
 * Reports each item whose key an earlier item already has, on the later one and with
 * the earlier one's index: `users[3].uid = 1002: duplicates users[1].uid`.
 */
export function uniqueBy<T>(items: readonly T[], key: (item: T) => unknown, list: string, field: string | undefined, issue: Issue): void {
    const seen = new Map<unknown, number>();
    items.forEach((item, i) => {
        const k = key(item);
        const first = seen.get(k);
        if (first !== undefined) issue(field === undefined ? [list, i] : [list, i, field], `duplicates ${list}[${first}]${field === undefined ? "" : `.${field}`}`);
        else seen.set(k, i);
    });
}
