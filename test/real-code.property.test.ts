/**
 * Verdicts that hold on real code (issue 9): seeded classes of models as third-party backprop
 * gets them wrong around the gradients (test/helpers/real-code.ts), each counted and printed:
 * false alarms on correct models, planted bugs caught or missed (a bug counts only where finite
 * differences can see it: its error at least 3 × the error central differences of the same loss
 * actually make at their best step size, measured against the float64 gradient:
 * typicalCentralDifferenceError), and headlines that contradict their
 * numbers. Other draws: `GC_SEED=1 GC_REAL=400 pnpm exec vitest run test/real-code.property.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import {
  checkGradients,
  formatReport,
  GradcheckError,
  toPassGradientCheck,
  type CheckOptionsInput,
  type CheckResult,
  type GradientModel,
  type MatcherUtils,
} from '@gradcheck/core';
import { seededRandom } from '@gradcheck/core/internal';
import {
  accumulatingModel,
  buildRealNet,
  centralDifferenceError,
  copiedParametersModel,
  dropoutGradientsModel,
  entriesOfNet,
  ModelBug,
  mutatingGradientsModel,
  mutatingLossModel,
  randomRealSpec,
  realModel,
  throwingModel,
  typicalCentralDifferenceError,
  type RealBug,
  type RealNet,
  type RealSpec,
} from './helpers/real-code.js';
import { blamed, flatIndex } from './helpers/blamed.js';
import { VISIBLE } from './helpers/fd-error.js';

/** Models per class. */
const MODELS = Number(process.env.GC_REAL ?? 200);
/** Shifts every seed. */
const SHIFT = Number(process.env.GC_SEED ?? 0);

const seedOf = (k: number): number => 9100 + k + 7919 * SHIFT;

/**
 * The classes today's engine still gets wrong (issue 9): they run as \`it.fails\`, so that they are
 * measured on every run and a fix shows as a failure here until it is moved out of this list.
 */
const PENDING = new Set<string>([
  // Float32 biases all 0 (stop 35): 13 and 22 of 200 bias bugs missed at seed 0; since stop 36 (a scale of 1 for a
  // tensor of zeros), 6 and 13, and 128 and 283 of about 6 000 over seeds 0–29; since stop 40 (a smooth loss's
  // fourth-order term read at 2h, smooth-parting.ts), 6 and 9, and 95 and 198; since stop 43 (a slope fitted over a
  // wide line judges an entry that agreed by little, fitted-slope.ts), 3 and 7, and 32 and 152 (docs/verdict.md).
  'weights of scale 0.01, biases 0: no false alarm, every bug above 3 × the FD error caught',
  'weights of scale 0.001, biases 0: no false alarm, every bug above 3 × the FD error caught',
]);

/** \`it\`, or \`it.fails\` for a class in {@link PENDING}. */
const test = (name: string, fn: () => void): void => (PENDING.has(name) ? it.fails : it)(name, fn);

const describeSpec = (s: RealSpec): string =>
  `sizes ${s.sizes.join('-')}, m ${s.examples}, ${s.layout}${s.layout === 'rows' ? ` (X ${s.inputs}, Y ${s.targets})` : ''}, ${s.loss}, ` +
  `${s.precision}, weights ${s.weightScale.toExponential(1)}, output ${s.outputScale.toFixed(1)}, seed ${s.seed}`;

/** The exact spec on a line of its own, after a failure's first line: what a test needs to pin the draw. */
const exactSpec = (s: RealSpec): string => `\n  exact spec: ${JSON.stringify(s)}`;

/**
 * The first line of a report must be true on its own: "agree" with "difference d ≤ tolerance t"
 * where d ≤ t, "disagree" with "d > t"; the other way round only with the reason in the same line
 * (", but …", ", within …", ", because …"). Returns what is wrong with the line, or undefined.
 */
export function headlineContradiction(result: CheckResult): string | undefined {
  const line = formatReport(result).split('\n')[0]!;
  const parsed =
    /^Analytic gradients (agree|disagree) with [^:]*: difference (\S+) (≤|>) tolerance ([^\s,]+)(.*)$/.exec(line);
  if (!parsed) return `unparsed headline: ${line}`;
  const [, verdict, , comparator, , rest] = parsed;
  const truly = result.difference <= result.tolerance ? '≤' : '>';
  if (comparator !== truly)
    return `the comparator is false (difference ${result.difference}, tolerance ${result.tolerance}): ${line}`;
  if ((verdict === 'agree') !== (passedWord(result) === 'agree'))
    return `the verdict word is not the result's: ${line}`;
  const expected = verdict === 'agree' ? '≤' : '>';
  if (comparator !== expected && !/, (but|within|because) /.test(rest!)) return `no reason given: ${line}`;
  return undefined;
}

const passedWord = (result: CheckResult): string => (result.passed ? 'agree' : 'disagree');

/** A check's outcome: the result, or the GradcheckError it threw. */
type Outcome = { result: CheckResult; error?: undefined } | { result?: undefined; error: GradcheckError };

const contradictions: string[] = [];
let headlines = 0;

function run(model: GradientModel, net: RealNet, options?: CheckOptionsInput): Outcome {
  try {
    const result = checkGradients(model, net.X, net.Y, options);
    headlines++;
    const wrong = headlineContradiction(result);
    if (wrong) contradictions.push(`${describeSpec(net.spec)}\n${wrong}`);
    return { result };
  } catch (error) {
    if (error instanceof GradcheckError) return { error };
    throw error;
  }
}

const text = (o: Outcome): string => (o.result ? formatReport(o.result) : `${o.error.code}: ${o.error.message}`);

/** The `p`-quantile of `values` (nearest rank, two digits). */
const percentile = (values: readonly number[], p: number): number =>
  Number([...values].sort((a, b) => a - b)[Math.floor(p * (values.length - 1))]!.toFixed(2));

/** Prints a class's counts; returns them for the assertions. */
function report(name: string, counts: Record<string, number>, examples: string[]): void {
  console.log(
    `${name}: ${Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}` + (examples.length ? `\n  e.g. ${examples[0]!.split('\n').slice(0, 14).join('\n  ')}` : ''),
  );
}

describe('impure gradients fail, and say why', () => {
  for (const [name, k, make, reason] of [
    ['accumulating buffers (n-th call returns n·g)', 0, (net: RealNet) => accumulatingModel(net), /accumulate/],
    ['momentum-like buffers (0.9·previous + g)', 1, (net: RealNet) => accumulatingModel(net, 0.9), /accumulate/],
    [
      'dropout in the backward only',
      2,
      (net: RealNet, seed: number) => dropoutGradientsModel(net, seed),
      /gradients\(X, Y\) (gave|returned) different/,
    ],
  ] as const)
    test(name, () => {
      const random = seededRandom(seedOf(k));
      const missed: string[] = [],
        unexplained: string[] = [];
      let caught = 0,
        explained = 0;
      for (let n = 0; n < MODELS; n++) {
        const net = buildRealNet(randomRealSpec(random));
        const outcome = run(make(net, net.spec.seed), net);
        if (outcome.result?.passed) {
          missed.push(`${describeSpec(net.spec)}\n${text(outcome)}`);
          continue;
        }
        caught++;
        if (reason.test(text(outcome))) explained++;
        else unexplained.push(`${describeSpec(net.spec)}\n${text(outcome)}`);
      }
      report(name, { models: MODELS, caught, missed: missed.length, 'reason given': explained }, [
        ...missed,
        ...unexplained,
      ]);
      expect(missed.slice(0, 1)).toEqual([]);
      // Two calls of a backward with its own dropout draw the same mask now and then (11 entries:
      // 0.68¹¹ ≈ 1 %): then nothing shows it is impure, and the mismatch alone fails the check.
      expect(explained).toBeGreaterThanOrEqual(k === 2 ? 0.95 * MODELS : MODELS);
    });
});

describe('parameters that loss does not read', () => {
  test('fails, naming the copies', () => {
    const random = seededRandom(seedOf(3));
    const missed: string[] = [];
    let caught = 0,
      explained = 0;
    for (let n = 0; n < MODELS; n++) {
      const net = buildRealNet(randomRealSpec(random));
      const names = Object.keys(net.parameters);
      const copies = random.uniform() < 0.5 ? names : [names[random.below(names.length)]!];
      // A copied tensor whose analytic gradient is 0 everywhere shows nothing: skip those draws.
      const g = net.gradients();
      if (copies.every((c) => g[c]!.data.every((v) => v === 0))) continue;
      const outcome = run(copiedParametersModel(net, copies), net);
      if (outcome.result?.passed) {
        missed.push(`${describeSpec(net.spec)} copies ${copies.join(', ')}\n${text(outcome)}`);
        continue;
      }
      caught++;
      if (/cop(y|ies)/i.test(text(outcome)) && /not (read|used|move)/i.test(text(outcome))) explained++;
    }
    report('copied parameters', { caught, missed: missed.length, 'reason given': explained }, missed);
    expect(missed.slice(0, 1)).toEqual([]);
    expect(explained).toBe(caught);
  });
});

describe('float32 networks with small weights', () => {
  // Also with every bias 0, as most libraries initialise them (a bug planted in a bias entry): a tensor of
  // zeros has no scale of its own to widen a step by.
  for (const [scale, k, zeroBiases] of [
    [1e-2, 4, false],
    [1e-3, 5, false],
    [1e-2, 12, true],
    [1e-3, 13, true],
  ] as const)
    test(`weights of scale ${scale}${zeroBiases ? ', biases 0' : ''}: no false alarm, every bug above 3 × the FD error caught`, () => {
      const random = seededRandom(seedOf(k));
      const alarms: string[] = [],
        missed: string[] = [];
      let due = 0,
        notDue = 0;
      // The luckiest two steps' error over the typical one, per bug drawn: how far the smaller reads off.
      const lucky: number[] = [];
      for (let n = 0; n < MODELS; n++) {
        const spec = randomRealSpec(random, {
          precision: 'float32',
          weightScale: scale * (0.5 + random.uniform()),
          loss: random.uniform() < 0.5 ? 'mse' : 'bce',
        });
        const net = buildRealNet(spec);
        if (zeroBiases) for (const name of ['b1', 'b2']) net.parameters[name]!.data.fill(0);
        const correct = run(realModel(net), net);
        if (!correct.result?.passed) alarms.push(`${describeSpec(spec)}${exactSpec(spec)}\n${text(correct)}`);
        // A bug in one entry: its sign flipped, or off by 3–6 × the error finite differences make there
        // at their best step size (not the luckiest step's: see typicalCentralDifferenceError).
        const reference = net.gradients64();
        const candidates = entriesOfNet(net).filter(
          ([t, i]) => reference[t]![i] !== 0 && (!zeroBiases || t[0] === 'b'),
        );
        const [tensor, index] = candidates[random.below(candidates.length)]!;
        const fdError = typicalCentralDifferenceError(net, tensor, index);
        lucky.push(centralDifferenceError(net, tensor, index) / fdError);
        const g = net.gradients()[tensor]!.data[index]!;
        const flip = random.uniform() < 0.5;
        const bug: RealBug = flip
          ? { kind: 'sign-entry', tensor, index }
          : {
              kind: 'offset-entry',
              tensor,
              index,
              delta:
                (random.uniform() < 0.5 ? -1 : 1) * (3 + 3 * random.uniform()) * Math.max(fdError, 2e-3 * Math.abs(g)),
            };
        const error = flip ? 2 * Math.abs(g) : Math.abs(bug.kind === 'offset-entry' ? bug.delta : 0);
        const bugged = g + (flip ? -2 * g : bug.kind === 'offset-entry' ? bug.delta : 0);
        // Due: at least 3 × the FD error and above the tolerance (1e-3 relative for float32).
        if (!(error >= VISIBLE * fdError && error > 1e-3 * (Math.abs(g) + Math.abs(bugged)) * 1.01)) {
          notDue++;
          continue;
        }
        due++;
        const outcome = run(realModel(net, bug), net);
        if (outcome.result?.passed) {
          missed.push(
            `${describeSpec(spec)} bug ${JSON.stringify(bug)}: error ${error.toExponential(2)}, FD error ${fdError.toExponential(2)}${exactSpec(spec)}\n${text(outcome)}`,
          );
        }
      }
      report(
        `float32, weights ${scale}${zeroBiases ? ', biases 0' : ''}`,
        {
          correct: MODELS,
          'false alarms': alarms.length,
          'bugs due': due,
          caught: due - missed.length,
          missed: missed.length,
          'not due': notDue,
          'luckiest two steps / typical FD error, 10th percentile': percentile(lucky, 0.1),
          median: percentile(lucky, 0.5),
          '90th': percentile(lucky, 0.9),
        },
        [...alarms, ...missed],
      );
      expect(alarms.slice(0, 1)).toEqual([]);
      expect(missed.slice(0, 1)).toEqual([]);
    });
});

/**
 * Where a failed check of a correct float64 network blamed only entries where no central difference
 * of the loss as computed gives the gradient within the tolerance (1e-6 of |g| + |g|) at any two
 * neighbouring steps of 2^-2 … 2^-24 ({@link centralDifferenceError}), the smallest of those
 * entries' best errors relative to |g|; else undefined. A saturated sigmoid whose log(1 − a) is a
 * rounded a's, flat over every step, is not the function whose gradient `gradients` returns: no
 * check can pass it without passing a bug of that size.
 */
function noStepShows(net: RealNet, result: CheckResult): number | undefined {
  // (All the failing entries: the check again, listing every entry among the worst.)
  const failing = blamed(result) ?? blamed(checkGradients(realModel(net), net.X, net.Y, { worst: 10_000 }));
  const errors = (failing ?? []).map(
    (e) => centralDifferenceError(net, e.tensor, flatIndex(net.parameters[e.tensor]!.shape, e)) / Math.abs(e.analytic),
  );
  return errors.length > 0 && errors.every((error) => error > 2e-6) ? Math.min(...errors) : undefined;
}

describe('naive binary cross-entropy (saturated sigmoid, log(1 − a) by cancellation)', () => {
  test('no false alarm on correct networks', () => {
    const random = seededRandom(seedOf(6));
    const alarms: string[] = [],
      saturated: string[] = [];
    let noisy = 0,
      infinite = 0;
    for (let n = 0; n < MODELS; n++) {
      const spec = randomRealSpec(random, {
        loss: 'bce-naive',
        precision: 'float64',
        outputScale: 6 + 18 * random.uniform(),
      });
      const net = buildRealNet(spec);
      const outcome = run(realModel(net), net);
      const unseen = outcome.result && !outcome.result.passed ? noStepShows(net, outcome.result) : undefined;
      // A sigmoid saturated to exactly 1 makes log(1 − a) infinite: a model no check can run, refused as it must be.
      if (outcome.error?.code === 'NON_FINITE_LOSS' && Number.isFinite(net.loss()) === false) infinite++;
      else if (unseen !== undefined)
        saturated.push(`seed ${spec.seed} (best step's error ≥ ${unseen.toExponential(1)} of |g|)`);
      else if (!outcome.result?.passed) alarms.push(`${describeSpec(spec)}${exactSpec(spec)}\n${text(outcome)}`);
      if (outcome.result && /noise/i.test(text(outcome))) noisy++;
    }
    report(
      'naive BCE',
      {
        correct: MODELS,
        'false alarms': alarms.length,
        'report mentions noise': noisy,
        'failed only where no step of the loss as computed gives the gradient': saturated.length,
        'refused: the loss is infinite at θ': infinite,
      },
      [...alarms, ...saturated.map((seed) => `no step shows the gradient: ${seed}`)],
    );
    expect(alarms.slice(0, 1)).toEqual([]);
  });
});

describe('examples in rows (TF.js layout) or columns', () => {
  test('no false alarm; a missing mean is named with the right number of examples, or not named', () => {
    const random = seededRandom(seedOf(7));
    const alarms: string[] = [],
      missed: string[] = [],
      wrongName: string[] = [],
      unnamed: string[] = [];
    let named = 0;
    for (let n = 0; n < MODELS; n++) {
      const spec = randomRealSpec(random, { precision: 'float64', loss: random.uniform() < 0.5 ? 'mse' : 'bce' });
      const net = buildRealNet(spec);
      const correct = run(realModel(net), net);
      if (!correct.result?.passed) alarms.push(`${describeSpec(spec)}${exactSpec(spec)}\n${text(correct)}`);
      const outcome = run(realModel(net, { kind: 'missing-mean' }), net);
      if (!outcome.result || outcome.result.passed) {
        missed.push(`${describeSpec(spec)}\n${text(outcome)}`);
        continue;
      }
      const names = outcome.result.tensors.flatMap((t) =>
        t.diagnosis?.examples !== undefined ? [t.diagnosis.examples] : [],
      );
      // Unambiguous: no other dimension of X or Y has the size of the examples' axis.
      const [inputs, , outputs] = spec.sizes;
      const k = spec.layout === 'rows' && spec.targets === 'plain' ? 1 : outputs;
      const records = spec.layout === 'rows' && spec.inputs === 'records';
      const ambiguous = !records && inputs === k && inputs > 1 && inputs !== spec.examples;
      if (names.some((m) => m !== spec.examples)) wrongName.push(`${describeSpec(spec)}\n${text(outcome)}`);
      else if (names.length > 0) named++;
      else if (!ambiguous) unnamed.push(`${describeSpec(spec)}\n${text(outcome)}`);
      // A factor that is the number of features, not of examples, is never named "= examples".
      if (inputs > 1 && inputs !== spec.examples) {
        const scaled = run(realModel(net, { kind: 'scale', factor: inputs }), net);
        if (scaled.result?.tensors.some((t) => t.diagnosis?.examples !== undefined))
          wrongName.push(`${describeSpec(spec)} ×${inputs}\n${text(scaled)}`);
      }
    }
    report(
      'examples in rows or columns',
      {
        models: MODELS,
        'false alarms': alarms.length,
        'missing mean missed': missed.length,
        'named right': named,
        'named wrong': wrongName.length,
        'unambiguous but not named': unnamed.length,
      },
      [...alarms, ...missed, ...wrongName, ...unnamed],
    );
    expect(alarms.slice(0, 1)).toEqual([]);
    expect(missed.slice(0, 1)).toEqual([]);
    expect(wrongName.slice(0, 1)).toEqual([]);
    expect(unnamed.slice(0, 1)).toEqual([]);
  });
});

describe('the right culprit', () => {
  for (const [culprit, k, make] of [
    [
      'loss(X, Y)',
      8,
      (net: RealNet, random: ReturnType<typeof seededRandom>) =>
        mutatingLossModel(net, random.below(net.parameters.W1!.data.length)),
    ],
    ['gradients(X, Y)', 9, (net: RealNet) => mutatingGradientsModel(net)],
  ] as const)
    test(`a ${culprit} that changes the parameters is named`, () => {
      const random = seededRandom(seedOf(k));
      const wrong: string[] = [];
      let named = 0,
        changedNothing = 0;
      for (let n = 0; n < MODELS; n++) {
        const net = buildRealNet(randomRealSpec(random));
        const before = Object.values(net.parameters).map((t) => t.data.slice());
        const model = make(net, random);
        const outcome = run(model, net);
        // A square of 0 or 1 (or an SGD step with a zero gradient) changes nothing: no culprit.
        if (outcome.result?.passed && outcome.result.evaluations.loss > 0) {
          if (Object.values(net.parameters).every((t, q) => t.data.every((v, i) => Object.is(v, before[q]![i])))) {
            changedNothing++;
            continue;
          }
        }
        if (outcome.error?.code === 'PARAMETERS_CHANGED' && outcome.error.message.startsWith(`${culprit} changed`))
          named++;
        else wrong.push(`${describeSpec(net.spec)}\n${text(outcome)}`);
        expect(Object.values(net.parameters).every((t, q) => t.data.every((v, i) => Object.is(v, before[q]![i])))).toBe(
          true,
        );
      }
      report(
        `${culprit} changes the parameters`,
        { named, 'wrong or no culprit': wrong.length, 'changed nothing': changedNothing },
        wrong,
      );
      expect(wrong.slice(0, 1)).toEqual([]);
    });
});

describe("the model's own exception", () => {
  const utils: MatcherUtils = {
    matcherHint: (name) => `expect(model).${name}(X, Y)`,
    printReceived: String,
    printExpected: String,
    EXPECTED_COLOR: (s) => s,
    RECEIVED_COLOR: (s) => s,
    DIM_COLOR: (s) => s,
  };

  test('keeps the cause and its stack, and prints the shapes of X and Y', () => {
    const random = seededRandom(seedOf(10));
    const counts = { models: 0, threw: 0, 'cause kept': 0, 'shapes printed': 0, 'stack in the matcher message': 0 };
    const failures: string[] = [];
    for (let n = 0; n < MODELS; n++) {
      const net = buildRealNet(randomRealSpec(random));
      const where = (['loss', 'gradients', 'nan'] as const)[random.below(3)]!;
      const model = throwingModel(net, where, 1 + random.below(where === 'gradients' ? 1 : 5));
      counts.models++;
      const outcome = run(model, net);
      const error = outcome.error;
      const wanted = where === 'nan' ? 'NON_FINITE_LOSS' : 'MODEL_THREW';
      if (error?.code !== wanted) {
        failures.push(`${describeSpec(net.spec)} ${where}: ${text(outcome)}`);
        continue;
      }
      if (where === 'nan' || error.cause instanceof ModelBug) counts['cause kept']++;
      else failures.push(`cause lost: ${error.message}`);
      // The shape a reader needs: of a tensor, of nested arrays, of a plain array of examples, or
      // of a record's first tensor (X given as { features, weights }).
      const shape = (v: unknown): string =>
        Array.isArray(v)
          ? Array.isArray(v[0])
            ? `${v.length}×${(v[0] as unknown[]).length}`
            : `${v.length}`
          : 'shape' in (v as object)
            ? (v as { shape: number[] }).shape.join('×')
            : shape(Object.values(v as object)[0]);
      const printed = (name: string, v: unknown): boolean =>
        new RegExp(`\\b${name} (\\{ \\w+ )?${shape(v)}\\b`).test(error.message);
      if (printed('X', net.X) && printed('Y', net.Y)) counts['shapes printed']++;
      else failures.push(`no shapes (X ${shape(net.X)}, Y ${shape(net.Y)}): ${error.message}`);
      if (where !== 'nan') {
        counts.threw++;
        const message = toPassGradientCheck.call({ isNot: false, utils }, model, net.X, net.Y).message();
        if (/ModelBug: shapes do not align[^\n]*\n\s+at /.test(message)) counts['stack in the matcher message']++;
        else failures.push(`no stack in the matcher message:\n${message}`);
      }
    }
    report('model throws', counts, failures);
    expect(failures.slice(0, 1)).toEqual([]);
  });
});

describe('correct real networks of every kind', () => {
  test('no false alarm (float64 and float32, rows and columns, three losses, weights 1e-3…1)', () => {
    const random = seededRandom(seedOf(11));
    const alarms: string[] = [];
    for (let n = 0; n < MODELS; n++) {
      const spec = randomRealSpec(random, { outputScale: 0.5 + 3 * random.uniform() });
      const net = buildRealNet(spec);
      const outcome = run(realModel(net), net);
      if (!outcome.result?.passed) alarms.push(`${describeSpec(spec)}${exactSpec(spec)}\n${text(outcome)}`);
    }
    report('correct real networks', { correct: MODELS, 'false alarms': alarms.length }, alarms);
    expect(alarms.slice(0, 1)).toEqual([]);
  });
});

describe('headlines', () => {
  test('no report above contradicts its numbers', () => {
    report('headlines', { reports: headlines, contradictions: contradictions.length }, contradictions);
    expect(contradictions.slice(0, 1)).toEqual([]);
  });
});
