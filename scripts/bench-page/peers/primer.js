// Primer Checkout as its README shows it: `loadPrimer()` registers `<primer-checkout>`, which
// reads its client token and loads the rest of the SDK from Primer's servers (not offline).
import { loadPrimer } from '@primer-io/primer-js';

loadPrimer();
