/** `npm run analyze` → custom-elements.json, from the elements' JSDoc (@fires, @csspart, @cssprop, @slot). */
export default {
  globs: ['src/elements/*/*.ts', 'src/events.ts'],
  exclude: ['src/elements/**/*.styles.ts', 'src/elements/**/define.ts'],
  outdir: '.',
  litelement: true,
};
