/**
 * Strongly connected components of a graph with a fixed out-degree, given as one or two Cayley
 * graphs (`graph[v·k + a]` is a successor of v). Pearce's space-efficient variant of Tarjan's
 * algorithm (Pearce 2016, "A space-efficient algorithm for finding strongly connected
 * components"), made iterative over typed arrays: no recursion (a Cayley graph of 16M nodes has
 * paths far deeper than any call stack), and one array `rindex` does the work of Tarjan's index,
 * lowlink and component arrays, so an edge costs one random memory access instead of two or three.
 * Components are numbered in completion order, a reverse topological order: every edge goes from
 * a component to one with a smaller or equal number.
 */
import { checkInstance, checkInteger, checkNumbers, checkObject, checkOptions, fail } from '../validate/index.js';
export interface Components {
  /** Component of each node. */
  readonly of: Int32Array;
  readonly count: number;
}

export function stronglyConnectedComponents(nodes: number, k: number, graphs: readonly Uint32Array[]): Components {
  checkInteger('stronglyConnectedComponents', 'nodes', nodes, 0, 2 ** 31);
  checkInteger('stronglyConnectedComponents', 'k', k, 1, 65536);
  if (!Array.isArray(graphs)) fail('stronglyConnectedComponents', `graphs must be an array of 1 or 2 Uint32Array adjacency tables, got ${typeof graphs}`);
  graphs.forEach((g, i) => {
    if (!(g instanceof Uint32Array) || g.length !== nodes * k) fail('stronglyConnectedComponents', `graphs[${i}] must be a Uint32Array of nodes·k = ${nodes * k} successors`);
  });
  if (graphs.length < 1 || graphs.length > 2) throw new RangeError(`stronglyConnectedComponents: expected 1 or 2 graphs, got ${graphs.length}`);
  const degree = k * graphs.length;
  const g0 = graphs[0];
  const g1 = graphs[graphs.length - 1];
  // rindex[v]: 0 unvisited; while v is open, its (lowest reachable) visit index; once its
  // component is done, c (counting down from nodes - 1), always above every open index.
  const rindex = new Int32Array(nodes);
  const isRoot = new Uint8Array(nodes);
  const stack = new Int32Array(nodes); // finished nodes whose component is still open
  const pathNode = new Int32Array(nodes); // the DFS path (the call stack of the recursive version)
  const pathEdge = new Int32Array(nodes);
  let index = 1;
  let c = nodes - 1;
  let sp = 0;
  for (let s = 0; s < nodes; s++) {
    if (rindex[s] !== 0) continue;
    let depth = 0;
    pathNode[0] = s;
    pathEdge[0] = 0;
    depth = 1;
    rindex[s] = index++;
    isRoot[s] = 1;
    while (depth > 0) {
      const v = pathNode[depth - 1];
      const e = pathEdge[depth - 1];
      if (e < degree) {
        pathEdge[depth - 1] = e + 1;
        const w = e < k ? g0[v * k + e] : g1[v * k + e - k];
        const rw = rindex[w];
        if (rw === 0) {
          pathNode[depth] = w;
          pathEdge[depth] = 0;
          depth++;
          rindex[w] = index++;
          isRoot[w] = 1;
        } else if (rw < rindex[v]) {
          rindex[v] = rw;
          isRoot[v] = 0;
        }
        continue;
      }
      depth--;
      if (isRoot[v]) {
        index--;
        while (sp > 0 && rindex[v] <= rindex[stack[sp - 1]]) {
          rindex[stack[--sp]] = c;
          index--;
        }
        rindex[v] = c--;
      } else {
        stack[sp++] = v;
      }
      if (depth > 0) {
        const u = pathNode[depth - 1];
        if (rindex[v] < rindex[u]) {
          rindex[u] = rindex[v];
          isRoot[u] = 0;
        }
      }
    }
  }
  // Completion order: the first component done (c = nodes - 1) is 0.
  const of = rindex; // reuse: rewrite in place
  for (let v = 0; v < nodes; v++) of[v] = nodes - 1 - of[v];
  return { of, count: nodes - 1 - c };
}
