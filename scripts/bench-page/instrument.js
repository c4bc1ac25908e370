// Runs in every benchmark page before the page's own scripts (Playwright `addInitScript`).
// Kept cheap, since its work counts in the page's script time: one MutationObserver on the
// document and on every shadow root (open or closed, found by wrapping `attachShadow`) noting
// the time of the last change, and a PerformanceObserver for long tasks (> 50 ms).
// `window.__benchSampleText = true` (set before this) also samples the text in the shadow roots
// at every animation frame, for the flash-of-another-language check (never in timed loads).
(() => {
  const bench = {
    lastMutation: 0,
    longTasks: [],
    roots: [],
    renders: {},
    frames: [],
    events: {},
  };
  window.__bench = bench;
  const observer = new MutationObserver(() => {
    bench.lastMutation = performance.now();
  });
  const watch = (root) => {
    bench.roots.push(root);
    observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  };
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    watch(root);
    return root;
  };
  watch(document);
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: 'longtask', buffered: true });

  /** Resolves with the time of the last DOM change once nothing changed for `quietMs`. */
  bench.quiet = (quietMs) =>
    new Promise((done) => {
      const check = () => {
        const idle = performance.now() - bench.lastMutation;
        if (idle >= quietMs) done(bench.lastMutation);
        else setTimeout(check, quietMs - idle + 1);
      };
      check();
    });

  /** Counts Lit render cycles per tag by wrapping the `update()` of each custom element class in the page. */
  bench.countRenders = () => {
    const tags = [...new Set([...document.querySelectorAll('*')].map((e) => e.localName))].filter((tag) => customElements.get(tag));
    for (const tag of tags) {
      const proto = customElements.get(tag)?.prototype;
      if (!proto || typeof proto.update !== 'function' || Object.hasOwn(proto, '__benchWrapped')) continue;
      const update = proto.update;
      proto.update = function (changed) {
        if (this.__benchCounting) return update.call(this, changed);
        this.__benchCounting = true;
        bench.renders[this.localName] = (bench.renders[this.localName] ?? 0) + 1;
        try {
          return update.call(this, changed);
        } finally {
          this.__benchCounting = false;
        }
      };
      proto.__benchWrapped = true;
    }
    return tags;
  };

  /** Starts one measured action: resets the counters and waits for `eventName` from now on. */
  bench.start = (eventName) => {
    bench.renders = {};
    const start = performance.now();
    const fired = new Promise((done) => document.addEventListener(eventName, () => done(performance.now()), { once: true }));
    bench.action = { start, fired };
  };

  /** Ends it: the event, then quiet; the wall time to the last change, renders, long tasks. */
  bench.end = async (quietMs, timeoutMs) => {
    const { start, fired } = bench.action;
    const timeout = new Promise((done) => setTimeout(() => done(undefined), timeoutMs));
    const firedAt = await Promise.race([fired, timeout]);
    if (firedAt === undefined) return { error: 'event not fired' };
    const last = await bench.quiet(quietMs);
    const longTasks = bench.longTasks.filter((t) => t.start >= start);
    return { wallMs: Math.max(last, firedAt) - start, renders: { ...bench.renders }, longTasks };
  };

  if (window.__benchSampleText) {
    const textOf = (root) => {
      const texts = [];
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.data.replace(/\s+/g, ' ').trim();
        const parent = node.parentNode?.nodeName;
        if (text && parent !== 'STYLE' && parent !== 'SCRIPT') texts.push(text);
      }
      return texts;
    };
    let previous = '';
    const sample = () => {
      const texts = bench.roots.filter((r) => r !== document && r.host.isConnected).flatMap(textOf);
      const key = texts.join('\n');
      if (key !== previous) bench.frames.push({ t: performance.now(), texts });
      previous = key;
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  }
})();
