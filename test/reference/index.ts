// The GAP reference facts of the zoo (shared/reference/zoo-algebra.json, computed by GAP 4.12), as a
// repository copy so the tests run on any clone. reference.test.ts checks the copy against
// ../shared/reference when that folder sits beside the repository (as in CI).
import { readFileSync } from 'node:fs';

export const ZOO_REFERENCE_PATH = new URL('./zoo-algebra.json', import.meta.url);
export const zooReference: unknown[] = JSON.parse(readFileSync(ZOO_REFERENCE_PATH, 'utf8'));
