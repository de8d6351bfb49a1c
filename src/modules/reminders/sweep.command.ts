import type { Clock } from '../../platform/clock';
import type { StallSweepService } from './stall-sweep.service';
import type { SweepReport } from './sweep-report';
import { formatTable, parseIsoFlag, type ParsedArgs } from '../../platform/cli/cli-args';
import type { CliCommand } from '../../platform/cli/cli-command';
import { createProgressReporter, type ProgressReporter } from '../../platform/cli/progress-reporter';
import { INTERRUPTED_EXIT_CODE, listenForCtrlC } from '../../platform/cli/ctrl-c';

/** The sweep report as the CLI and the demo print it: a summary line, then one row per reminder. */
export function formatSweepReport(report: SweepReport): string {
  if (!report.ran) return 'Another instance is sweeping right now; nothing was done.';
  const rows = report.rows.map((row) => [
    row.dealName ? `${row.dealId} ${row.dealName}` : row.dealId,
    row.assigneeOwnerId ?? '-',
    row.stepId ?? '-',
    row.daysStalled === null ? '-' : String(row.daysStalled),
    row.kind,
    row.detail ? `${row.action} (${row.detail})` : row.action,
  ]);
  const summary =
    `${report.dryRun ? 'Dry run as of' : 'Swept as of'} ${report.now}: ${report.portals} portal(s), ` +
    `${report.candidates} candidate deal(s), ${report.stalled} stalled, ${report.snoozed} snoozed, ` +
    `${report.alreadySent} reminder(s) already sent`;
  if (rows.length === 0) return `${summary}\nNothing to do.`;
  return `${summary}\n\n${formatTable(['deal', 'owner', 'step', 'days stalled', 'kind', 'action'], rows)}`;
}

/**
 * One stalled-deal sweep by hand, as the service's timer would run it: `--dry-run` says what it would
 * do and creates nothing, `--now` evaluates as of another time (to see what next Monday's sweep sends).
 * Progress goes to stderr (progress-reporter.ts); Ctrl-C stops after the page in hand, carries out that
 * page's reminders and prints what was done (reminders have keys: the next sweep sends none twice).
 */
export const sweepCommand: CliCommand<{ reminders: StallSweepService; clock: Clock }> = {
  name: 'sweep',
  usage: 'sop-guide sweep [--dry-run] [--now <ISO time>]',
  summary: 'run one stalled-deal sweep and print the reminders it sent (or, with --dry-run, would send)',
  flags: { 'dry-run': 'boolean', now: 'string' },
  async run(args: ParsedArgs, io, openServices) {
    const now = parseIsoFlag(args, 'now');
    return openServices(
      async (services) => {
        const interrupt = listenForCtrlC();
        const progress = new Map<number, ProgressReporter>();
        let report: SweepReport;
        try {
          report = await services.reminders.sweep({
            now: services.clock.now(),
            dryRun: args.flags['dry-run'] === true,
            onPage: ({ portalId, done, total }) => {
              let reporter = progress.get(portalId);
              if (!reporter) {
                reporter = createProgressReporter(io, `portal ${portalId}`, 'deals judged');
                progress.set(portalId, reporter);
              }
              reporter.update(done, total);
              return !interrupt.requested;
            },
          });
        } finally {
          for (const reporter of progress.values()) reporter.end();
          interrupt.stop();
        }
        io.out(formatSweepReport(report));
        if (!report.stopped) return 0;
        io.out(
          `Interrupted after ${report.candidates} candidate deal(s); run sweep again to judge the rest.`,
        );
        return INTERRUPTED_EXIT_CODE;
      },
      { now },
    );
  },
};
