// Valid calls of exported functions, the seeds the API fuzz driver spoils one argument (or one
// entry inside one) of. Small on purpose: every call must finish in milliseconds.
export function validArgs(M) {
  if (typeof M.decodePredictor === 'function') return learningArgs(M);
  if (typeof M.defaultExperimentHmm !== 'function') return {};
  const hmm = M.defaultExperimentHmm();
  const joint = M.exactJoint(hmm, [1, 2, 3]);
  const w = M.tripletTensor(joint);
  const parity = M.zoo('parity');
  const cyc = M.zoo('cyclic:3');
  const t3 = M.tensor3([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  const A = M.matrixFromRows([[1, 2], [3, 4]]);
  const perm = [1, 2, 0];
  const nce = M.nceProblem(2, 1.5);
  const tau = new Float64Array([0.5, -0.2, 0.3]);
  const ncePlan = { dims: 1, distances: [1, 2], methods: ['ence-ngd'], target: 0.5, maxSteps: 200 };
  const nceRuns = M.runNceExperiment(ncePlan);
  return {
    stationaryDistribution: [[[[0.9, 0.1], [0.2, 0.8]]]],
    exactJoint: [[hmm, [1, 2, 3]]],
    exactPairwise: [[hmm, 1, 2]],
    exactTriplet: [[hmm, 1, 2, 3]],
    hiddenMarginal: [[hmm, 2]],
    hmmToJSON: [[hmm]],
    createHmm: [[{ transition: [[0.9, 0.1], [0.2, 0.8]], emission: [[0.5, 0.5], [0.1, 0.9]] }]],
    parseHmm: [['{"transition":[[1]],"emission":[[1]]}', 'h.json']],
    recoverHmm: [[hmm]],
    recoverFromTensor: [[w, 3], [w, 3, { truth: hmm }]],
    hmmTripletTensor: [[hmm]],
    randomHmm: [[3, 4, { seed: 1, initial: 'random' }], [2, 2]],
    sampleSequences: [[hmm, 5, 2, 1]],
    sampleCounts: [[hmm, [1, 2], 100, 1]],
    empiricalJoint: [[hmm, [1, 2], 100, 1]],
    marginalJoint: [[joint, [1, 2]]],
    conditionalMoment: [[joint, 1, [2]]],
    pairwisePredictor: [[joint, 1, 2]],
    tripletPredictor: [[joint, 1, 2, 3]],
    tripletTensor: [[joint]],
    allPairwise: [[joint]],
    maxTensorDiff: [[[1, 2], [1, 3]]],
    distinctPositions: [[[3, 1, 2]]],
    tripleJointFromSequences: [[[[0, 1, 2, 1, 0]], 3]],
    matchStates: [[[[1, 0], [0, 1]], [[0, 1], [1, 0]]]],
    permuteHmm: [[hmm, [2, 0, 1]]],
    relabelledDistance: [[hmm, hmm]],
    parameterDistance: [[hmm, hmm]],
    predictorDiffs: [[hmm, hmm]],
    ratioGroups: [[hmm]],
    twinFor: [[hmm, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]]],
    planeRotation: [[[1, 0, 0], [0, 1, 0], 0.3]],
    findPairwiseTwin: [[hmm, { randomPlanes: 1 }]],
    runExperiment: [[{ hmm, sizes: [200], reps: 1 }]],
    dirichlet: [[new M.Rng(1), [1, 2]]],
    hungarian: [[[[1, 2], [3, 0]]], [[[4, 1, 3], [2, 0, 5], [3, 2, 2]]]],
    congruence: [[A, A]],
    cp: [[t3, 1, { maxIter: 5 }]],
    tensor3: [[[2, 1, 1], [1, 2]]],
    matrix: [[2, 2, [1, 2, 3, 4]]],
    matrixFromRows: [[[[1, 2], [3, 4]]]],
    matrixToRows: [[A]],
    transpose: [[A]],
    matmul: [[A, A]],
    column: [[A, 1]],
    columnNorms: [[A]],
    norm: [[t3]],
    checkTensor: [[t3]],
    unfoldingGram: [[t3, 0]],
    contractMode: [[t3, 0, [1, 1]]],
    directProduct: [[parity, cyc], [parity, cyc, { name: 'p' }]],
    simulate: [[parity, new Uint8Array([0, 1, 1]), { method: 'scan' }]],
    simulateReference: [[parity, new Uint8Array([0, 1, 1])]],
    simulateBatch: [[parity, new Uint8Array([0, 1, 1, 0]), 2]],
    simulateBatchReference: [[parity, new Uint8Array([0, 1, 1, 0]), 2]],
    sampleLetters: [[parity, 5, { seed: 1 }]],
    validateAutomaton: [[{ delta: [[1, 0], [0, 1]], start: 0 }, 'a.json']],
    automatonToJson: [[parity]],
    numStates: [[parity]],
    numLetters: [[parity]],
    packDelta: [[parity]],
    withLabels: [[M.zoo('dihedral:4'), 'position']],
    zoo: [['cyclic:4']],
    isZooName: [['parity']],
    parseLetterText: [[new TextEncoder().encode('0 1 1'), 2]],
    sequenceFormat: [['a.u16']],
    transformationSemigroup: [[parity]],
    algebraReport: [[parity]],
    permOrder: [[perm]],
    permPower: [[perm, 2n]],
    compose: [[perm, perm]],
    invert: [[perm]],
    cycleLengths: [[perm]],
    permEquals: [[perm, perm]],
    isIdentity: [[perm]],
    isOdd: [[perm]],
    movedPoints: [[perm]],
    identityPerm: [[3]],
    factorial: [[5]],
    isPrime: [[7n]],
    primeFactors: [[12n]],
    // src/nce
    nceProblem: [[2, 1.5]],
    parameterError: [[nce, tau]],
    smoothness: [[nce]],
    logisticMoments: [[0.3, 1.2], [0.3, 0, true]],
    gaussianMgf: [[0.5, 0.1, 1]],
    populationGradient: [[nce, 'nce', tau], [nce, 'ence', tau, true]],
    sampledGradient: [[nce, 'nce', tau, 10, new M.Rng(1)]],
    runNce: [[nce, { method: 'ence-ngd', target: 0.5, maxSteps: 50 }], [nce, { method: 'nce-gd', maxSteps: 20, samples: 5 }]],
    runNceExperiment: [[ncePlan]],
    growthOf: [[nceRuns.runs]],
    leastSquares: [[[1, 2, 3], [2, 4, 7]]],
    nceMarkdown: [[nceRuns]],
    nceSvg: [[nceRuns]],
  };
}

/**
 * testbeds/learning: the learned-predictor functions, on hand-made predictors (the table is the
 * HMM's own conditional law, so no training is needed); the rest of the entry gets random calls.
 */
function learningArgs(M) {
  const hmm = { initial: [0.6, 0.4], transition: [[0.9, 0.1], [0.2, 0.8]], emission: [[0.7, 0.3], [0.1, 0.9]] };
  const base = { format: 'testbeds-predictor', version: 1, d: 2, k: 2, model: 'mlp', loss: 'squared', samples: 100, seed: 1, steps: 1, batch: 1, lr: 0.001, width: 4, layers: 1, parameters: 1, trainLoss: 0, marginal: [0.5, 0.5], hmm };
  const pairwise = { ...base, task: '2|1', table: [[0.7, 0.3], [0.2, 0.8]] };
  const triplet = { ...base, task: '2,3|1', table: [[0.4, 0.2, 0.3, 0.1], [0.1, 0.2, 0.2, 0.5]] };
  const experiment = {
    hmm, sizes: [100], reps: 1, model: 'mlp', steps: 1,
    rows: [{ n: 100, learned: { '2,3|1': { median: 0.1, min: 0.05, max: 0.2 } }, counted: { median: 0.1, min: 0.1, max: 0.1 } }],
    pairwise: { task: '2|1', n: 100, lossTruth: 0.5, lossTwin: 0.5, distance: 0.2, floor: 0.1 },
  };
  const hmmObject = { ...hmm, k: 2, d: 2 };
  return {
    encodePredictor: [[pairwise], [triplet]],
    decodePredictor: [[M.encodePredictor(triplet), 'p.json']],
    predictorJoint: [[triplet]],
    recoverFromPredictor: [[triplet, { restarts: 1 }]],
    predictorLoss: [[pairwise, hmmObject]],
    pairwiseTwinCheck: [[pairwise, hmmObject]],
    outputSize: [[M.parseMaskedTask('2,3|1'), 3]],
    parseMaskedTask: [['2,3|1'], ['3|2']],
    learnedExperimentMarkdown: [[experiment]],
    learnedExperimentSvg: [[experiment]],
  };
}
