import { css } from '../shared/css.js';

export const loyaltyBalanceStyles = css`
  .spend {
    display: grid;
    gap: calc(var(--_space) / 2);
  }
  .spend p {
    margin: 0;
  }
  input[type='range'] {
    flex: 1 1 10rem;
    width: auto;
    min-height: 2.75rem;
    accent-color: var(--_accent);
    border: none;
    padding: 0;
  }
  output {
    font-weight: 600;
    font-variant-numeric: tabular-nums;
    min-width: 6rem;
    text-align: end;
  }
  .note {
    margin: 0;
  }
  .earn {
    color: var(--_success);
    font-weight: 600;
  }
  [part='balance'] {
    font-weight: 700;
  }
`;
