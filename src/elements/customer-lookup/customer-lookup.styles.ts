import { css } from '../shared/css.js';

export const customerLookupStyles = css`
  .row input {
    flex: 1 1 12rem;
    width: auto;
  }
  .found {
    margin: 0;
    display: flex;
    gap: 0.5rem;
    align-items: baseline;
    flex-wrap: wrap;
    font-weight: 600;
  }
`;
