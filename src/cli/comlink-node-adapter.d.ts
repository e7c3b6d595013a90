// comlink ships node-adapter.mjs with a sibling .d.ts that TypeScript does not pair with the
// .mjs specifier Node needs (comlink has no "exports" map); this re-points the types.
declare module "comlink/dist/esm/node-adapter.mjs" {
  export { default } from "comlink/dist/esm/node-adapter";
}
