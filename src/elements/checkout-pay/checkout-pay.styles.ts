import { css } from '../shared/css.js';

export const checkoutPayStyles = css`
  .due {
    font-weight: 700;
    color: var(--_fg);
    font-size: 1.15em;
  }
  .pay {
    width: 100%;
    font-size: 1.1em;
  }
  .receipt h2 {
    margin: 0;
    font-size: 1.2em;
    color: var(--_success);
  }
  .reference {
    font-family: ui-monospace, monospace;
    font-size: 0.85em;
    word-break: break-all;
  }
  [tabindex='-1']:focus {
    outline: none;
  }
`;
