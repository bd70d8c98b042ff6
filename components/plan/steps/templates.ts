// Templates and scripts under config-files/, rendered by the plan. Reading the
// package's own files is the plan's only contact with the outside world.
import * as fs from "fs";
import * as path from "path";

export const CONFIG_FILES_DIR = path.resolve(__dirname, "..", "..", "..", "config-files");

const cache = new Map<string, string>();

/** The text of config-files/<rel>. */
export function configFile(rel: string): string {
    let text = cache.get(rel);
    if (text === undefined) {
        text = fs.readFileSync(path.join(CONFIG_FILES_DIR, rel), "utf8");
        cache.set(rel, text);
    }
    return text;
}

/**
 * Replaces the text of config-files/<rel> in this process until the returned
 * function is called. It is how tests make a pull request's edit (a line in a
 * script or a template) and run the real plan and program on it, without
 * writing to the repository.
 */
export function patchConfigFile(rel: string, edit: (text: string) => string): () => void {
    const original = configFile(rel);
    cache.set(rel, edit(original));
    return () => { cache.set(rel, original); };
}

/** The files directly in config-files/<rel>, sorted, as paths relative to config-files/. */
export function configDir(rel: string): string[] {
    return fs.readdirSync(path.join(CONFIG_FILES_DIR, rel)).sort().map((f) => `${rel}/${f}`);
}

/**
 * Replaces every {{name}} in config-files/<rel>. A placeholder with no value, or a
 * value no placeholder uses, is a bug in the plan: both throw, naming the file.
 */
export function render(rel: string, vars: Record<string, string | number>): string {
    const text = configFile(rel);
    const used = new Set<string>();
    const out = text.replace(/\{\{([A-Za-z][A-Za-z0-9]*)\}\}/g, (_, key: string) => {
        if (!(key in vars)) throw new Error(`${rel}: no value for {{${key}}}`);
        used.add(key);
        return String(vars[key]);
    });
    const unused = Object.keys(vars).filter((k) => !used.has(k));
    if (unused.length) throw new Error(`${rel}: values without a placeholder: ${unused.join(", ")}`);
    return out;
}
