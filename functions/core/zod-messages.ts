import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// The schemas use zod/mini, the same validator as zod with a tree-shakeable API: it keeps the
// Lambda bundle (and its cold start) lighter. It ships no messages by default: English it is.
// Imported for this side effect by the modules that report validation errors.
config(en());
