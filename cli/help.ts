// --help texts: one per command, and the overview.
export const overview = `ltx — declarative lottery-ticket and training-dynamics experiments

Usage: ltx <command> [options]

Commands:
  check FILE...            check programs; diagnostics as FILE:LINE:COL: error: MESSAGE
  fmt [--check] FILE...    rewrite files in the canonical layout (--check: only name files that would change)
  plan FILE [--json]       every stage: name, kind, op, key, cached or to run, and why
  graph FILE [--format dot|mermaid|json]
                           the stage DAG
  diff OLD NEW [--json]    stages added, removed, changed (parameter old → new) and which cached results
                           stay valid; OLD and NEW are files or git REV:PATH
  run FILE [--jobs N] [--backend auto|tensorflow|webgpu|wasm|cpu] [--only NAME] [--json]
                           compute every stage the cache does not have yet
  run FILE --executor slurm [--slurm KEY=VALUE]... [--detach]
                           the same as Slurm batch jobs (docs/slurm.md)
  status FILE [--json]     where each stage stands on Slurm: done, queued, running, failed, with job,
                           node and elapsed time
  results FILE [--json|--csv] [--curves | --by VAR... | --over VAR...]
                           the probes' tables (and the runs' training curves, or the rows aggregated
                           over seeds), from the cache
  report FILE [--out DIR]  an HTML page with the standard plots of the probes and the training curves
                           (default DIR: report)
  export FILE NAME [--format safetensors|npz] [--layout ltx|torch] [--out PATH]
                           a declaration's checkpoint or mask as a file PyTorch, JAX and NumPy load
  cache ls|verify|gc       list the cache, check it, remove what nothing needs
  cache gc [--keep PROGRAM.ltx]... [--keep-days N] [--dry-run]
                           also free the results of experiments not kept
  lsp [--stdio]            the language server for editors (stdin/stdout)

Common options:
  --set NAME=VALUE         override a param (repeatable)
  --max-stages N           compile programs of up to N stages (default 100,000; loop iterations count too)
  --cache DIR              the cache (default .ltx-cache in the working directory, or $LTX_CACHE)
  -h, --help               help for a command

Exit status: 0 success, 1 invalid program or a failed stage, 2 bad command-line usage,
130 a run stopped with Ctrl-C. With --json an invalid program prints {"file","ok":false,"diagnostics":[...]}.
Run 'ltx <command> --help' for a command's options.`;

export const commandHelp: Record<string, string> = {
  check: `Usage: ltx check FILE... [--set NAME=VALUE]... [--max-stages N] [--json]

Parses, resolves, type-checks and compiles each program. Every error is printed as
FILE:LINE:COL: error: MESSAGE with a code frame. Exit status 1 when any program has an error.
  --json   print {"files":[{"file","ok","stages","diagnostics":[...]}]} instead`,
  fmt: `Usage: ltx fmt [--check] FILE...

Rewrites each file in the canonical layout (comments kept). With --check nothing is written: the files
that would change are named and the exit status is 1 if there are any. A file with syntax errors is not
formatted (exit status 1).`,
  plan: `Usage: ltx plan FILE [--json] [--set NAME=VALUE]... [--max-stages N] [--cache DIR]

Lists every stage of the program in execution order: name, kind, op, key prefix, status (cached or run)
and why it runs (not in cache, which parameter changed since this program file last ran on the cache,
which input changed).
  --json   print {"stages":[{"id","name","kind","op","deps","status","reason"}]}`,
  graph: `Usage: ltx graph FILE [--format dot|mermaid|json] [--set NAME=VALUE]... [--max-stages N]

Prints the stage DAG (default format: dot).`,
  diff: `Usage: ltx diff OLD NEW [--json] [--set NAME=VALUE]... [--max-stages N]

Compares the stages of two programs. OLD and NEW are files or git revisions as REV:PATH
(e.g. HEAD~1:examples/quickstart.ltx). Stages with the same key in both are unchanged: their cached
results stay valid. A stage whose declaration name is in both but whose key differs is changed: its
parameter changes (old → new) and changed inputs are listed.
  --json   print {"added":[…],"removed":[…],"changed":[…],"unchanged":[…]}`,
  run: `Usage: ltx run FILE [--jobs N] [--backend auto|tensorflow|webgpu|wasm|cpu] [--executor local|slurm]
               [--slurm KEY=VALUE]... [--detach] [--only NAME] [--device-cache BYTES] [--cache DIR]
               [--set NAME=VALUE]... [--max-stages N] [--json]

Computes every stage whose result is not in the cache, in dependency order, the longest chain first.
Prints which backend runs (and why the others did not), then progress: a bar per running stage on a
terminal, otherwise one line per event (started, done with seconds, failed with its cause, skipped).
A failed stage fails only the stages that depend on it; everything else completes (exit status 1).
Training whose loss explodes and stays up (smoothed, above 10x its first step's) is kept with a warning
naming the segment, the step it diverged at and the loss at the start and at the end.
Ctrl-C stops the running stages at their next step and keeps every finished result: run again to
continue (exit status 130; a second Ctrl-C stops at once). Several runs may share one cache: each stage
is computed once, the others wait for it (and say whose claim they wait for). A result damaged in the
cache that this run needs is computed again, and the run says why.
  -j, --jobs N            stages computed at once, each on its own worker thread (default: the number of
                          cores; with slurm: jobs in the queue at once, default 1000)
  --backend NAME          auto (default: native TensorFlow's GPU build if installed, else WebGPU on a
                          hardware GPU, else native TensorFlow, else wasm, else cpu), tensorflow, webgpu
                          (Dawn on Vulkan; also a software adapter such as lavapipe), wasm or cpu
  --executor local|slurm  where stages run: worker threads here (default), or one Slurm batch job per
                          stage (job arrays for stages of one kind ready together), the cache on a
                          filesystem the nodes share; a killed run started again adopts its jobs
  --slurm KEY=VALUE       a setting of the Slurm jobs, after slurm.json beside FILE: partition, account,
                          qos, time, cpus, mem, gpus, gres, extra (one sbatch option), each also for one
                          stage kind (train.time=8:00:00); requeue, requeue-cancelled, poll,
                          order (controller or afterok), command
  --detach                with slurm: submit every stage at once (each job waits for its parents' with
                          afterok) and exit; 'ltx status FILE' follows them, 'ltx run' collects them
  --only NAME             only what the declaration NAME (or NAME[i], or a stage name) needs
  --device-cache BYTES    checkpoints each worker keeps decoded in memory, their weights and masks also
                          on its backend, both counted (default 512MB; KB/MB/GB or KiB/MiB/GiB)
  --json                  print one summary document at the end:
                          {"backend","stages":[{"id","name","status","seconds","error"?,"recomputed"?,"diverged"?}],"failed",…}`,
  status: `Usage: ltx status FILE [--json] [--cache DIR] [--set NAME=VALUE]... [--max-stages N]

Where each stage of the program stands with the Slurm executor: done (in the cache), queued (and why:
waiting for its parents' jobs, for resources), running, failed (and how: its error, or Slurm's state),
or not submitted; with its job id, node and elapsed time. One squeue query for all of them; reads the
cache, writes nothing.
  --json   print {"file","cache","stages":[{"id","name","kind","status","job"?,"node"?,"elapsed"?,"detail"?}]}`,
  results: `Usage: ltx results FILE [--json|--csv] [--curves | --by VAR... | --over VAR...] [--cache DIR] [--set NAME=VALUE]...
                   [--max-stages N]

Prints every probe's table: one row per member (level, step, seed, …) with the metrics recorded in the
cache; rows not computed yet are shown as pending, rows whose stage (or a stage it needs) failed in
the last run as failed (the causes follow the tables), rows damaged in the cache as damaged ('ltx run'
computes them again); rows that measured a training run that diverged are marked, and a warning names
each such run.
  --json     print {"probes":{NAME:[{"name","index","subject","subjects","metrics","layers"?,"series"?,
             "status","failure"?,"diverged"?}]},"curves":{RUN:{"every","steps","step":[],"loss":[],"lr":[]}}}
  --csv      print one CSV: probe,name,<index columns>,<metric columns> (per-layer metrics as LAYER.METRIC)
  --curves   also each run's training curve (recorded as it trained): a summary line per run; with
             --csv every point instead of the probes (run,step,loss,lr)
  --over VAR...  aggregate every probe's rows over these coordinates (loop variables such as seed,
             level, step): rows that agree on all the others form a group; per group and metric n,
             mean, std, min, max and the 95% interval of the mean (Student t). Names follow the flag up
             to the next option (--over seed), or are repeated or separated by commas
  --by VAR...    the same, grouping by exactly these coordinates (--by level)`,
  report: `Usage: ltx report FILE [--out DIR] [--cache DIR] [--set NAME=VALUE]... [--max-stages N]

Writes DIR/index.html (default DIR: report): one self-contained page (no script, nothing fetched) with
the standard plots of the program's probes, drawn as inline SVG from Vega-Lite specs, each with a
caption saying what was run, and every probe's table. Which plots: accuracy and loss against the share
of weights remaining (log scale; the lottery's levels beside every control), error along the linear
interpolation path (instability), the local learning coefficient with its chains and their SGLD loss
traces (llc), a mask-overlap heatmap (mask_overlap), every other probe measured along steps or levels
as a line (kernel_distance, linearization, mask_distance, weight_distance, ...), the training loss of
every run (a panel each) and its learning rate where a schedule changes it. The Vega-Lite
spec of each plot is written beside the page as DIR/specs/ID.vl.json. Reads the cache only; rows not
computed yet are left out of the plots and shown as pending in the tables.
  -o, --out DIR   where to write the page (created if missing)`,
  export: `Usage: ltx export FILE NAME [--format safetensors|npz] [--layout ltx|torch] [--out PATH]
                 [--cache DIR] [--set NAME=VALUE]...

Writes the checkpoint or mask of NAME from the cache as a file that PyTorch, JAX and NumPy load
directly. NAME as --only takes it: a declaration (dense, t[3], m[4]), a lottery's level (imp[2]), a
whole family (t, imp, a lottery's masks imp.mask: a directory with one file per member, named by its
coordinates, e.g. imp-level3.safetensors), a stage name (dense 0→24), or a run's checkpoint at a step
the program refers to (dense @ 24 steps). A checkpoint holds its parameters by name (layer1.weight,
...) and, if it trains under a mask, the mask as uint8 mask.<parameter>; a mask holds uint8 arrays by
parameter name. Metadata: artifact, name, coordinates, model, step, masked, stage_key, program, layout,
ltx_version (safetensors: __metadata__; npz: the JSON string __metadata__). Nothing is written unless
every member is computed (exit status 1 naming those that are not).
  --format F      safetensors (default) or npz (a ZIP of .npy files, as numpy.savez writes)
  --layout L      ltx (default): dense kernels [in, out], conv kernels [kh, kw, c_in, c_out];
                  torch: kernels and their masks as PyTorch's Linear [out, in] and Conv2d
                  [c_out, c_in, kh, kw]; everything else is the same in both
  -o, --out PATH  the file, or a directory to put it in (default export/NAME.safetensors, NAME with its
                  coordinates: export/imp-level3.safetensors); for a family, the directory (default
                  export/NAME/)`,
  cache: `Usage: ltx cache ls|verify|gc [--cache DIR] [--json]
       ltx cache verify --repair [--cache DIR] [--json]
       ltx cache gc [--keep PROGRAM.ltx]... [--keep-days N] [--dry-run] [--set NAME=VALUE]... [--max-stages N]
                    [--cache DIR] [--json]

  ls       every result in the cache: key, name, op, size, when it finished
  verify   re-hash every stored output; each problem names the stage key and the file (exit status 1)
           --repair: then remove the damaged results and blobs, so that 'ltx run' computes them again
  gc       remove what no result needs: broken records, unreferenced blobs, leftovers of interrupted
           commits, stale claims (anything younger than a minute is spared: a run may be using it);
           and, when told what to keep, the results of old experiments; prints each result removed
           and the totals (count and bytes). Without --keep or --keep-days every valid result stays.
           --keep PROGRAM.ltx   keep every stage the program compiles to (--set, --max-stages apply) and
                                its inputs
           --keep-days N        keep what was computed, or used by any 'ltx run', in the last N days
           --dry-run            print what gc would remove and free, delete nothing
Only a directory ltx created (marked by its ltx-cache.json) is a cache: any other is refused.`,
  lsp: `Usage: ltx lsp [--stdio]

Serves the Language Server Protocol on stdin and stdout, for editors (editors/vscode/ is the VS Code
extension that starts it): diagnostics as 'ltx check' gives them while you type, hover, completion,
go to definition, references, rename, outline, folding, formatting, semantic tokens and quick fixes.
--stdio (the transport, what language clients pass) is the only one and may be left out. Hovers read
results from $LTX_CACHE, else .ltx-cache in the workspace folder (initializationOptions.cache overrides).`,
};
