#!/usr/bin/env bash
# Trains and evaluates RC and EOS models at a reduced budget for the tasks on
# which the rank-coding method was published (ICLR 2022), then prints our
# figures as Markdown tables with bench/published-table.ts. docs/BENCHMARKS.md
# sets them next to the published figures.
#
#   npm run bench:table                     # every phase, into runs/published-table
#   PHASES="mnist" npm run bench:table      # one phase; phases: mnist spotting two-sequence
#   OUT=runs/table2 npm run bench:table
#
# The default budget is sized for a machine with 2 CPU cores and is far below
# the publication's. Sequence spotting trains on 100,000 sequences per epoch for
# 4 epochs and 2-sequence on 100,000 for 10 (RC) or 3 (EOS) epochs, where the
# publication used 1.5 M and 2 M examples. Temporal MNIST trains the
# publication's LSTM 784-340-10 for 14 epochs (RC) and 2 epochs (EOS). The *_EPOCHS and *_TRAIN_COUNT variables change the budget.
# At most two trainings run at once. Each run writes a `time.txt` with the
# output of /usr/bin/time -v, which gives its CPU time as well as its wall time.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${OUT:-runs/published-table}
PHASES=${PHASES:-"mnist spotting two-sequence"}
BACKEND=${BACKEND:-wasm}
MNIST_RC_EPOCHS=${MNIST_RC_EPOCHS:-14}
MNIST_EOS_EPOCHS=${MNIST_EOS_EPOCHS:-2}
SPOTTING_EPOCHS=${SPOTTING_EPOCHS:-4}
TWO_SEQUENCE_RC_EPOCHS=${TWO_SEQUENCE_RC_EPOCHS:-6}
TWO_SEQUENCE_EOS_EPOCHS=${TWO_SEQUENCE_EOS_EPOCHS:-3}
SPOTTING_TRAIN_COUNT=${SPOTTING_TRAIN_COUNT:-100000}
TWO_SEQUENCE_TRAIN_COUNT=${TWO_SEQUENCE_TRAIN_COUNT:-100000}

if [[ ! -x /usr/bin/time ]]; then
  echo "error: /usr/bin/time not found; install the Debian package time" >&2
  exit 2
fi
if [[ ! -f dist/trainer/cli.js || ! -f dist/bench/published-table.js ]]; then
  echo "error: dist/ is missing; run npm run build first" >&2
  exit 2
fi
mkdir -p "$OUT"

# Runs rc-train with the given name and flags under /usr/bin/time -v.
train() {
  local name=$1
  shift
  mkdir -p "$OUT/$name"
  echo "training $name: rc-train $* --backend $BACKEND --out $OUT/$name" >&2
  /usr/bin/time -v -o "$OUT/$name/time.txt" \
    node bin/rc-train.js "$@" --backend "$BACKEND" --quiet --out "$OUT/$name" >"$OUT/$name/train.log" 2>&1
}

# Runs rc-eval on the model of run NAME; extra flags follow the name.
evaluate() {
  local name=$1
  shift
  echo "evaluating $name" >&2
  node bin/rc-eval.js "$OUT/$name/model.json" --backend "$BACKEND" --quiet --json --out "$OUT/$name/eval.json" "$@" >/dev/null
}

for phase in $PHASES; do
  case $phase in
    mnist)
      # The publication's LSTM 784-340-10. RC trains 7 epochs with beta 0.1, then
      # beta 0, with Adam 2e-3 decayed by 0.85 per epoch, and exports the most
      # accurate epoch whose validation mean t_sp is at most 1.5. EOS trains the
      # same model on the same backend, so their per-epoch frames and times compare.
      train mnist-rc --task temporal-mnist --mode rc --units 340 --lr 2e-3 --lr-decay 0.85 --beta-schedule "0:0.1,7:0" \
        --max-mean-spike-step 1.5 --epochs "$MNIST_RC_EPOCHS" &
      train mnist-eos --task temporal-mnist --mode eos --units 340 --lr 2e-3 --lr-decay 0.85 --epochs "$MNIST_EOS_EPOCHS" &
      wait
      evaluate mnist-rc
      evaluate mnist-eos
      ;;
    spotting)
      # The publication's LSTM 125 with one sigmoid output. The learning rate is
      # 3e-3 with clipping in place of its 3e-4, to train in fewer examples.
      # NOTE: the publication's 3e-4 was not tried at this budget.
      train spotting-rc --task sequence-spotting --mode rc --units 125 --lr 3e-3 --clip-norm 1 \
        --epochs "$SPOTTING_EPOCHS" --train-count "$SPOTTING_TRAIN_COUNT"
      evaluate spotting-rc
      node dist/bench/spotting-earliest.js --model "$OUT/spotting-rc/model.json" --backend "$BACKEND" --json \
        >"$OUT/spotting-rc/earliest.json"
      ;;
    two-sequence)
      # The learning rate decays by 0.6 per epoch. The RC run exports the most
      # accurate epoch whose validation mean t_sp is at most 16 steps. Without that
      # limit the slowest epoch tends to win, because an example without a spike
      # is read at step 40. The EOS run exports the epoch most accurate at step 40.
      # The RC run then continues for 4 epochs with a slower decay, from the
      # learning rate 3e-3 x 0.8^6 (a warm restart). time-first.txt and time-resume.txt
      # time the two parts.
      (
        train two-sequence-rc --task two-sequence --mode rc --units 125 --lr 3e-3 --lr-decay 0.6 --clip-norm 1 \
          --max-mean-spike-step 16 --epochs "$TWO_SEQUENCE_RC_EPOCHS" --train-count "$TWO_SEQUENCE_TRAIN_COUNT"
        mv "$OUT/two-sequence-rc/time.txt" "$OUT/two-sequence-rc/time-first.txt"
        mv "$OUT/two-sequence-rc/train.log" "$OUT/two-sequence-rc/train-first.log"
        train two-sequence-rc --task two-sequence --mode rc --units 125 --lr 3e-3 --lr-decay 0.8 --clip-norm 1 \
          --max-mean-spike-step 16 --epochs "$((TWO_SEQUENCE_RC_EPOCHS + 4))" --train-count "$TWO_SEQUENCE_TRAIN_COUNT" --resume
        mv "$OUT/two-sequence-rc/time.txt" "$OUT/two-sequence-rc/time-resume.txt"
      ) &
      train two-sequence-eos --task two-sequence --mode eos --units 125 --lr 3e-3 --lr-decay 0.6 --clip-norm 1 \
        --epochs "$TWO_SEQUENCE_EOS_EPOCHS" --train-count "$TWO_SEQUENCE_TRAIN_COUNT" &
      wait
      evaluate two-sequence-rc --at-step 14
      evaluate two-sequence-eos --at-step 14
      ;;
    *)
      echo "error: unknown phase \"$phase\"; expected mnist, spotting or two-sequence" >&2
      exit 2
      ;;
  esac
done

node dist/bench/published-table.js --runs "$OUT"
