// Chai and the plugin for the shared Chai type contract (test/compat/shared/chai-type-cases.ts).
import * as chai from 'chai';

export { chai };
export { gradcheck } from '@gradcheck/chai';
