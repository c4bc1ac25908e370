import { css } from './css.js';

/**
 * Design tokens shared by all elements. Every visual choice reads a `--checkout-*` custom
 * property with a default, so a merchant themes the widget from the page without reaching
 * into shadow DOM. No `@layer` is needed for `::part()` rules on the page to win: in the
 * cascade, the page's (outer) rules beat a shadow root's own for normal declarations.
 */
export const baseStyles = css`
  :host {
    /* Light by default; dark where the page's \`color-scheme\` is dark (e.g. \`light dark\` and a
       dark OS), never because of the OS alone: a light shop stays light. Tokens win over both. */
    --_fg: var(--checkout-color-text, light-dark(#1b1f24, #e6e8eb));
    --_muted: var(--checkout-color-muted, light-dark(#4d5660, #aab3bd));
    --_bg: var(--checkout-color-surface, light-dark(#fff, #1b1f24));
    --_border: var(--checkout-color-border, light-dark(#8a939d, #6b7580));
    --_accent: var(--checkout-color-accent, light-dark(#0b57d0, #8ab4f8));
    --_on-accent: var(--checkout-color-on-accent, light-dark(#fff, #0b1b33));
    --_danger: var(--checkout-color-danger, light-dark(#b3261e, #f2b8b5));
    --_success: var(--checkout-color-success, light-dark(#146c2e, #7fd18b));
    --_radius: var(--checkout-radius, 8px);
    --_space: var(--checkout-spacing, 0.75rem);
    /* A solid accent ring outside a gap of surface colour: 3:1 or more against the surface in
       both schemes (WCAG 1.4.11), and distinct from an accent-filled button it surrounds. */
    --_focus: var(--checkout-focus-ring, 0 0 0 2px var(--_bg), 0 0 0 4px var(--_accent));
    display: block;
    box-sizing: border-box;
    font-family: var(--checkout-font-family, system-ui, sans-serif);
    font-size: var(--checkout-font-size, 1rem);
    color: var(--_fg);
    line-height: 1.4;
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  .card {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_space);
    display: grid;
    gap: var(--_space);
  }
  label {
    font-weight: 600;
  }
  input {
    font: inherit;
    color: inherit;
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 2);
    padding: 0.5em 0.75em;
    min-height: 2.75rem;
    width: 100%;
  }
  input[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  button {
    font: inherit;
    font-weight: 600;
    border-radius: calc(var(--_radius) / 2);
    border: 1px solid var(--_accent);
    background: var(--_accent);
    color: var(--_on-accent);
    padding: 0.5em 1em;
    min-height: 2.75rem;
    cursor: pointer;
  }
  button.secondary {
    background: transparent;
    color: var(--_accent);
  }
  button.link {
    background: none;
    border: none;
    color: var(--_accent);
    text-decoration: underline;
    padding: 0;
    min-height: 1.5rem;
  }
  button:disabled,
  button[aria-disabled='true'] {
    opacity: 0.6;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: none;
    box-shadow: var(--_focus);
  }
  .row {
    display: flex;
    gap: calc(var(--_space) / 2);
    align-items: center;
    flex-wrap: wrap;
  }
  .muted {
    color: var(--_muted);
  }
  .error {
    color: var(--_danger);
    margin: 0;
  }
  dl {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.25rem 1rem;
    margin: 0;
  }
  dt {
    color: var(--_muted);
  }
  dd {
    margin: 0;
    text-align: end;
    font-variant-numeric: tabular-nums;
  }
`;
