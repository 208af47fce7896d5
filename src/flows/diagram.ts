import { and, asc, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { policies, policyBindings } from '../policies/table.js';
import { flowStageBindings, stages } from './table.js';
import { stageTypeFor } from './registry.js';
import type { FlowRow } from './stage.js';

/** A mermaid node; `from` draws an edge from each source, labelled by `label` when it is not empty. */
function node(id: string, text: string, from: string[] = [], label?: string): string[] {
  const shape = `${id}["${text.replace(/"/g, '#quot;')}"]`;
  if (!from.length) return [shape];
  const arrow = label ? `--${label}-->` : '-->';
  return from.map((source) => `${source} ${arrow} ${shape}`);
}

/**
 * The flow as a mermaid chart, shaped as authentik's `FlowDiagram`: the flow's policies, then each stage after
 * the policies bound to its binding (a denied policy skips to the next stage), then the end.
 */
export async function flowDiagram(db: Db, flow: FlowRow): Promise<string> {
  const bindings = await db.select({ binding: flowStageBindings, stage: stages }).from(flowStageBindings)
    .innerJoin(stages, eq(stages.stageUuid, flowStageBindings.stageId))
    .where(eq(flowStageBindings.targetId, flow.flowUuid)).orderBy(asc(flowStageBindings.order));
  const targets = [flow.pbmUuid, ...bindings.map((b) => b.binding.pbmUuid)];
  const bound = await db.select({ target: policyBindings.targetId, order: policyBindings.order, name: policies.name }).from(policyBindings)
    .innerJoin(policies, eq(policies.policyUuid, policyBindings.policyId))
    .where(and(inArray(policyBindings.targetId, targets), isNotNull(policyBindings.policyId))).orderBy(asc(policyBindings.order));
  const policiesOf = (target: string) => bound.filter((b) => b.target === target);

  const lines = ['graph TD'];
  const flowPolicies = policiesOf(flow.pbmUuid);
  if (flowPolicies.length) {
    lines.push(...node('flow_pre', 'Pre-flow policies'));
    flowPolicies.forEach((p, i) => lines.push(...node(`flow_policy_${i}`, `Policy\n${p.name}`, ['flow_pre'], `Binding ${p.order}`)));
    lines.push(...node('done', 'End of the flow', flowPolicies.map((_, i) => `flow_policy_${i}`), 'Policy denied'));
  }
  lines.push(...node('flow_start', `Flow\n${flow.name}`, flowPolicies.map((_, i) => `flow_policy_${i}`)));
  let previous = ['flow_start'];
  let skipFrom: string[] = [];
  bindings.forEach(({ binding, stage }, index) => {
    const stagePolicies = policiesOf(binding.pbmUuid).map((p, i) => ({ id: `stage_${index}_policy_${i}`, name: p.name }));
    for (const p of stagePolicies) lines.push(...node(p.id, `Policy\n${p.name}`, previous));
    const type = stageTypeFor(stage.model);
    const id = `stage_${index}`;
    const text = `Stage (${type?.verboseName ?? 'Stage'})\n${stage.name}`;
    lines.push(...node(id, text, stagePolicies.length ? stagePolicies.map((p) => p.id) : previous, stagePolicies.length ? 'Policy passed' : undefined));
    if (skipFrom.length) lines.push(...node(id, text, skipFrom, 'Policy denied'));
    skipFrom = stagePolicies.map((p) => p.id);
    previous = [id];
  });
  lines.push(...node('done', 'End of the flow', previous));
  if (skipFrom.length) lines.push(...node('done', 'End of the flow', skipFrom, 'Policy denied'));
  return lines.join('\n');
}
