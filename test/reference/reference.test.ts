import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ZOO_REFERENCE_PATH } from './index.js';

// These two compare repository copies with ../shared/reference/, which sits beside the repository
// in the project's workspace and CI but not in a clone of the repository alone: say so when skipping.
function named(url: URL, title: string): string {
  if (existsSync(url)) return title;
  const why = `skipped: ${url.pathname} is absent (a clone of the repository alone has no ../shared)`;
  console.log(`${title}: ${why}`);
  return `${title} (${why})`;
}

const shared = new URL('../../../shared/reference/zoo-algebra.json', import.meta.url);

describe('the repository copy of the GAP reference', () => {
  it.skipIf(!existsSync(shared))(named(shared, 'equals shared/reference/zoo-algebra.json beside the repository'), () => {
    expect(JSON.parse(readFileSync(ZOO_REFERENCE_PATH, 'utf8'))).toEqual(JSON.parse(readFileSync(shared, 'utf8')));
  });
});

describe("the paper's depth table embedded in src/learning/sweep.ts", () => {
  const paper = new URL('../../../shared/reference/paper-depth-table.json', import.meta.url);
  it.skipIf(!existsSync(paper))(named(paper, 'equals shared/reference/paper-depth-table.json beside the repository'), async () => {
    const { PAPER_TABLE } = await import('../../src/learning/sweep.js');
    const ref = JSON.parse(readFileSync(paper, 'utf8'));
    expect(PAPER_TABLE.depths).toEqual(ref.depths);
    expect(PAPER_TABLE.rows).toEqual(ref.rows);
  });
});
