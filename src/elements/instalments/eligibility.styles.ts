import { css } from '../shared/css.js';

/** `<eligibility-check>`'s own styles, adopted by the instalments chunk beside the base styles. */
export const eligibilityStyles = css`
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  p {
    margin: 0;
  }
  fieldset {
    border: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: calc(var(--_space) / 2);
  }
  legend {
    font-weight: 600;
    padding: 0;
    margin-bottom: calc(var(--_space) / 2);
  }
  .option {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 0.25rem 0.5rem;
    align-items: start;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) / 2);
    padding: calc(var(--_space) / 2);
  }
  .option:has(input:checked) {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  .option input {
    width: 1.25rem;
    height: 1.25rem;
    min-height: 0;
    margin: 0.1rem 0 0;
    accent-color: var(--_accent);
  }
  .option label {
    font-weight: 600;
  }
  .option > :not(input, label) {
    grid-column: 2;
  }
  .schedule {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
    gap: 0 1rem;
    color: var(--_muted);
    font-size: 0.9em;
    font-variant-numeric: tabular-nums;
  }
  .schedule li {
    display: flex;
    justify-content: space-between;
    gap: 0.5rem;
  }
  a {
    color: var(--_accent);
    font-weight: 600;
  }
  .paid {
    color: var(--_success);
    font-weight: 600;
  }
`;
