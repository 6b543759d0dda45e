// What the survivor ledger's scripts (mutation-survivors.mjs, mutation-relocate.mjs) agree on: which
// mutants are survivors, and how a ledger row names one (its first three tab-separated columns).

/** A mutant the ledger must list: it survived, or no test covers it. */
export const isSurvivor = (m) => m.status === 'Survived' || m.status === 'NoCoverage';

/** A replacement as a ledger row writes it, with `\`, newline and tab escaped. */
export const escape = (s) => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');

/** Stryker's `startLine:startColumn-endLine:endColumn` of a mutant (1-based, as in the report). */
export const where = (m) =>
  `${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}`;

/** A ledger row's key (location, mutator, escaped replacement), from a mutant or from a row's columns. */
export const rowKey = (m) => [where(m), m.mutatorName, escape(m.replacement)].join('\t');
export const columnsKey = (columns) => columns.slice(0, 3).join('\t');
