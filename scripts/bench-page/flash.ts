/**
 * Whether English shows before French on a page with `locale="fr"`. Each load gives the text of
 * the shadow roots at every animation frame where it changed. English strings are those the
 * English page showed at any time that the French page does not show once settled; French
 * strings are those the settled French page shows that the English page never did. A flash is a
 * frame before the first French one that has an English string in it.
 */
export interface FlashLoad {
  frames: Array<{ t: number; texts: string[] }>;
}

const WORDS = /[A-Za-z]{3}/;

export function analyseFlash(englishLoads: FlashLoad[], frenchLoads: FlashLoad[]): string {
  const englishSeen = new Set(englishLoads.flatMap((load) => load.frames.flatMap((f) => f.texts)));
  let flashes = 0;
  let longest = 0;
  const examples = new Set<string>();
  const notes: string[] = [];
  for (const { frames } of frenchLoads) {
    const settled = new Set(frames.at(-1)?.texts ?? []);
    const french = new Set([...settled].filter((text) => !englishSeen.has(text)));
    const englishOnly = new Set([...englishSeen].filter((text) => !settled.has(text) && WORDS.test(text)));
    if (french.size === 0) {
      notes.push('a load whose settled text has nothing the English page lacks (French never showed?)');
      continue;
    }
    const firstFrench = frames.findIndex((f) => f.texts.some((text) => french.has(text)));
    const before = frames.slice(0, firstFrench).filter((f) => f.texts.some((text) => englishOnly.has(text)));
    if (before.length === 0) continue;
    flashes++;
    longest = Math.max(longest, frames[firstFrench]!.t - before[0]!.t);
    for (const f of before) for (const text of f.texts) if (englishOnly.has(text) && examples.size < 3) examples.add(text);
  }
  const verdict = flashes === 0 ? `no English before French (0 of ${frenchLoads.length} loads)` : `English shown first in ${flashes} of ${frenchLoads.length} loads, for up to ${Math.round(longest)} ms, e.g. ${[...examples].map((e) => JSON.stringify(e.slice(0, 60))).join(', ')}`;
  return notes.length ? `${verdict}; ${notes.length} × ${notes[0]}` : verdict;
}
