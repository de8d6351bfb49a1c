import { createProgressReporter } from '../../../src/platform/cli/progress-reporter';

/** A clock the test moves, and stderr as lines (a log) or as the one line a terminal redraws. */
function setUp(terminal: boolean) {
  let nowMs = 0;
  const lines: string[] = [];
  const redraws: string[] = [];
  const io = {
    err: (text: string) => lines.push(text),
    ...(terminal ? { redrawErr: (text: string) => redraws.push(text) } : {}),
  };
  const reporter = createProgressReporter(io, 'portal 7', 'deals judged', () => nowMs);
  return { reporter, lines, redraws, advance: (ms: number) => (nowMs += ms) };
}

describe('progress of long CLI work', () => {
  it('in a log: the first update with work done gets a line, then one every few seconds, with rate and time left', () => {
    const { reporter, lines, advance } = setUp(false);
    reporter.update(0, 5000);
    advance(1000);
    reporter.update(1000, 5000);
    advance(1000);
    reporter.update(2000, 5000);
    advance(2000);
    reporter.update(4000, 5000);

    expect(lines).toEqual([
      'portal 7: 1000 of 5000 deals judged (1000/s, about 4 s left)',
      'portal 7: 4000 of 5000 deals judged (1000/s, about 1 s left)',
    ]);
  });

  it('without a total, says how many so far and the rate', () => {
    const { reporter, lines, advance } = setUp(false);
    advance(2000);
    reporter.update(100, null);

    expect(lines).toEqual(['portal 7: 100 deals judged so far (50/s)']);
  });

  it('says the time left in minutes and hours on a big portal', () => {
    const { reporter, lines, advance } = setUp(false);
    advance(10_000);
    reporter.update(100, 100 + 10 * 90);
    advance(3000);
    reporter.update(130, 130 + 10 * 9360);

    expect(lines).toEqual([
      'portal 7: 100 of 1000 deals judged (10/s, about 2 min left)',
      'portal 7: 130 of 93730 deals judged (10/s, about 2 h 36 min left)',
    ]);
  });

  it('prints nothing for a job done in one step: the result says it all', () => {
    const { reporter, lines, redraws } = setUp(true);
    reporter.update(0, 6);
    reporter.update(6, 6);
    reporter.end();
    const log = setUp(false);
    log.reporter.update(6, 6);

    expect([...lines, ...redraws, ...log.lines]).toEqual([]);
  });

  it('on a terminal: redraws one line often, and clears it at the end', () => {
    const { reporter, lines, redraws, advance } = setUp(true);
    advance(500);
    reporter.update(500, 2000);
    advance(100);
    reporter.update(600, 2000);
    advance(200);
    reporter.update(800, 2000);
    reporter.end();

    expect(lines).toEqual([]);
    expect(redraws).toEqual([
      'portal 7: 500 of 2000 deals judged (1000/s, about 2 s left)',
      'portal 7: 800 of 2000 deals judged (1000/s, about 1 s left)',
      '',
    ]);
  });
});
