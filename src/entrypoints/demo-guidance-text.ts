import type { GuidanceResponse } from '../../extensions/app/cards/src/guidance-response.schema';

/** A deal's guidance as a rep would read it on the card, for the terminal. */
export function formatGuidanceText(guidance: GuidanceResponse, dealName: string): string {
  const lines: string[] = [];
  const entered = guidance.stage.enteredAt.slice(0, 10);
  lines.push(`Deal ${guidance.dealId} "${dealName}"  ·  stage ${guidance.stage.label} (since ${entered})`);
  if (!guidance.step) {
    lines.push(`  No SOP step: ${guidance.reason ?? 'this stage is not mapped'}`);
    return lines.join('\n');
  }
  lines.push(`  SOP step: ${guidance.step.title}  (playbook v${guidance.step.playbookVersion})`);
  lines.push(...wrap(guidance.step.guidance, 96).map((line) => `    ${line}`));
  lines.push('  Actions:');
  for (const action of guidance.actions) {
    const by = action.done && action.doneBy ? `  — ${action.doneBy.email ?? action.doneBy.userId}` : '';
    lines.push(
      `    [${action.done ? 'x' : ' '}] ${action.title}${action.required ? '' : ' (optional)'}${by}`,
    );
  }
  lines.push('  Compliance checks:');
  for (const check of guidance.checks) {
    lines.push(
      `    ${check.passed ? 'PASS' : 'FAIL'} ${check.title}${check.passed || !check.detail ? '' : ` — ${check.detail}`}`,
    );
  }
  lines.push(
    `  Progress ${guidance.progress.done}/${guidance.progress.total}  ·  ` +
      (guidance.readyToAdvance ? 'Ready to advance' : `Not ready: ${guidance.blockers.join('; ')}`),
  );
  const stall = guidance.stall;
  lines.push(
    stall.stalled
      ? `  STALLED: ${stall.daysInStage} business days in stage (threshold ${stall.thresholdDays})`
      : `  Not stalled: ${stall.daysInStage} business days in stage` +
          (stall.thresholdDays === null ? '' : ` (threshold ${stall.thresholdDays})`),
  );
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/)) {
    if (current && current.length + word.length + 1 > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}
