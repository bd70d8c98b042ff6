// The import graph check that npm test runs (test/run-all.sh, `npm run imports`):
// no cycle anywhere in the source, and nothing reachable from the pure plan or the
// lab may be Pulumi-side, not even through a third module, and the policy pack
// imports nothing from the program it judges. The direct imports are
// also linted (eslint.config.mjs, no-restricted-imports); docs/design/architecture.md.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle hides which module the others are built on. Move what both sides need into a module of its own (as components/plan/layout/layout.ts).",
      from: {},
      to: { circular: true },
    },
    {
      name: "plan-and-lab-reach-no-pulumi",
      severity: "error",
      comment: "components/plan/ and lab/ run without Pulumi: no path from them may lead to components/pulumi/ or an @pulumi package.",
      from: { path: "^(components/plan|lab)/" },
      to: { path: "^(components/pulumi/|node_modules/@pulumi/)", reachable: true },
    },
    {
      name: "policy-pack-self-contained",
      severity: "error",
      comment: "policy/ is published alone (pulumi policy publish): it imports only its own files, packages and Node's built-ins, never the program it judges.",
      from: { path: "^policy/" },
      to: { pathNot: "^(policy/|node_modules/)", dependencyTypesNot: ["core"] },
    },
    {
      name: "area-entered-through-its-index",
      severity: "error",
      comment: "An area of components/plan/ or components/pulumi/ is entered through its index.ts: what it exports there is its surface, and the rest may move inside it.",
      from: { path: "^(components/(?:plan|pulumi)/[^/]+)/" },
      to: { path: "^components/(?:plan|pulumi)/[^/]+/", pathNot: ["^$1/", "/index[.]ts$"] },
    },
    {
      name: "area-entered-through-its-index-from-outside",
      severity: "error",
      comment: "The entry points, the lab, the bench and the tests enter an area through its index.ts too.",
      from: { pathNot: "^components/(?:plan|pulumi)/[^/]+/" },
      to: { path: "^components/(?:plan|pulumi)/[^/]+/", pathNot: "/index[.]ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^bin/" },
    // Type-only imports count: a cycle through `import { Type }` is still a cycle in the source.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".json"] },
  },
};
