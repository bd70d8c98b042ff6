// Text checks for container and remote-command inputs that would make SSH
// accept root with a password. Texts are judged line by line; comment lines
// (sshd_config or shell "#") are skipped, so a commented-out
// "#PermitRootLogin yes" is not a finding. Matching ignores case and tolerates
// any spacing, quotes or "=" (as in `sshd -o PermitRootLogin=yes`).

const lineHazards: { pattern: RegExp; what: string }[] = [
    { pattern: /\bpermitrootlogin["'\s=]+yes\b/i, what: "enables PermitRootLogin yes" },
    { pattern: /\bpasswordauthentication["'\s=]+yes\b/i, what: "enables PasswordAuthentication yes" },
    // "root:<pw>" in the command piped straight into chpasswd. Stopping at ; & |
    // keeps `chown root:root f && echo u:pw | chpasswd` from matching.
    {
        pattern: /(?:^|[\s'"])root:[^|;&\n]*\|\s*(?:sudo\s+)?chpasswd\b/i,
        what: "sets a root password with chpasswd",
    },
    { pattern: /\bchpasswd\s*<<<\s*['"]?root:/i, what: "sets a root password with chpasswd" },
    // Other one-liners that set root's password non-interactively.
    { pattern: /\|\s*(?:sudo\s+)?passwd\s+(?:--stdin\s+)?root\b/i, what: "sets a root password with passwd" },
];

// `usermod -p HASH root`. A hash starting with "*" or "!" locks the password
// instead (the compute Dockerfile does `usermod -p '*' root`), so that is fine.
const usermodPassword = /\busermod\s+(?:-p|--password)[\s=]+(['"]?)([^\s'"]*)\1\s+root\b/i;

// `chpasswd <<EOF` or `cat <<EOF | chpasswd`: the heredoc opener and its tag
// (not a `<<<` here-string, which the line patterns cover).
const heredocOpener = /(?<!<)<<(?!<)-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/;

/** Describes each hazard found in `text` (deduplicated), e.g. ["enables PermitRootLogin yes"]. */
export function rootSshHazards(text: string): string[] {
    const found = new Set<string>();
    const lines = text.split(/\r?\n/);
    lines.forEach((line, i) => {
        if (/^\s*#/.test(line)) {
            return;
        }
        for (const h of lineHazards) {
            if (h.pattern.test(line)) {
                found.add(h.what);
            }
        }
        const usermod = usermodPassword.exec(line);
        if (usermod && !/^[!*]/.test(usermod[2])) {
            found.add("sets a root password with usermod");
        }
        const opener = /\bchpasswd\b/i.test(line) ? heredocOpener.exec(line) : null;
        if (opener) {
            const tag = opener[1];
            for (const body of lines.slice(i + 1)) {
                if (body.trim() === tag) {
                    break;
                }
                if (/^\s*root:/i.test(body)) {
                    found.add("sets a root password with chpasswd");
                }
            }
        }
    });
    return [...found];
}
