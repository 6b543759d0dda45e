/** What a check threw, for the tests that assert a refusal's code and message. */
import { GradcheckError } from '../src/index.js';

/** The GradcheckError `run` throws (another error is rethrown; none fails the test). */
export function errorOf(run: () => unknown): GradcheckError {
  try {
    run();
  } catch (error) {
    if (error instanceof GradcheckError) return error;
    throw error;
  }
  throw new Error('expected a GradcheckError');
}

/** `CODE: message` of the GradcheckError `run` throws, or `no error`. */
export function messageOf(run: () => unknown): string {
  try {
    run();
    return 'no error';
  } catch (error) {
    if (error instanceof GradcheckError) return `${error.code}: ${error.message}`;
    throw error;
  }
}
