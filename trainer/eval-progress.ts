import cliProgress from 'cli-progress';

/** Progress over the examples of one evaluation on stderr; a no-op when disabled or when stderr is not a terminal. */
export class EvalProgress {
  private readonly bar: cliProgress.SingleBar | undefined;

  constructor(enabled: boolean, title: string, examples: number) {
    if (!enabled || !process.stderr.isTTY) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${title} [{bar}] {value}/{total} examples | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(examples, 0);
  }

  update(examplesDone: number): void {
    this.bar?.update(examplesDone);
  }

  stop(): void {
    this.bar?.stop();
  }
}
