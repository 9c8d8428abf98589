export { checkOptionValue } from './catalog';
export { unifiedDiff } from './diff';
export { type LineProblem, MyCnfDocument } from './document';
export { type MyCnfEdit, type MyCnfFileChange, type MyCnfPlan, type PlanOptions, planEdits } from './edit';
export { booleanPrefix, canonicalName, sameGroup, serverGroups } from './names';
export { type CnfLine, decodeValue, encodeValue, parseLines, serializeLines } from './syntax';
export { type CnfFile, type CnfFileReader, type CnfProblem, MyCnfTree, nodeFileReader, type OptionRef } from './tree';
export { applyPlan, type WrittenFile, writeFileAtomic } from './write';
