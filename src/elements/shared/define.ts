/** Defines a tag unless it already is (a page that loads the bundle twice must not throw). */
export function define(tag: string, element: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, element);
}
