import cliProgress from 'cli-progress';

/** Per-batch progress of one epoch on stderr; a no-op when disabled or when stderr is not a terminal. */
export class EpochProgress {
  private readonly bar: cliProgress.SingleBar | undefined;

  constructor(enabled: boolean, epoch: number, epochs: number, batches: number) {
    if (!enabled || !process.stderr.isTTY) return;
    this.bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `epoch ${epoch}/${epochs} [{bar}] {value}/{total} batches | loss {loss} | mean t_sp {spikeStep} | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(batches, 0, { loss: '-', spikeStep: '-' });
  }

  update(batchesDone: number, loss: number, meanSpikeStep: number): void {
    this.bar?.update(batchesDone, { loss: loss.toFixed(4), spikeStep: meanSpikeStep.toFixed(2) });
  }

  stop(): void {
    this.bar?.stop();
  }
}
