// `ember`: command-line front end of the Ember runtime. This file only
// declares the command line and dispatches to the subcommands.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli_util.h"
#include "command_registry.h"
#include "commands.h"

#ifndef EMBER_VERSION
#define EMBER_VERSION "unknown"
#endif

namespace {

constexpr const char* kRunFooter = R"(
Without MODEL, runs Ember's embedded default model (a digits classifier
made by scripts/make_default_model.py) on its embedded sample digits and
prints each prediction next to the true label.

Inputs: NAME is an input tensor's name or its position (0, 1, ...). The
.npy dtype must equal the tensor type; a different shape resizes the input.
--random-inputs SEED fills every input not given with --input with seeded
uniform values: full type range for int8/uint8/int16 (quantized or not),
[0, 1] for float images (rank-4 float inputs with 1, 3 or 4 channels),
[-1, 1] for other float inputs, [0, 100] for other integer types, 0/1 for
bool. The same SEED gives the same values on every machine.

Outputs are written, with --output-dir, to DIR/<name>.npy with the tensor
name reduced to [A-Za-z0-9._-] (duplicates get _1, _2, ...).

Exit status: 0 ok, 1 model/data/runtime error, 2 usage error.)";

}  // namespace

int main(int argc, char** argv) {
  using namespace ember::cli;
  CLI::App app{"ember: inspect and run TensorFlow Lite (.tflite) models",
               "ember"};
  app.set_version_flag("--version", std::string("ember ") + EMBER_VERSION);
  app.require_subcommand(1);
  app.footer("Run 'ember SUBCOMMAND --help' for the options of a subcommand.");

  InspectOptions inspect;
  CLI::App* inspect_cmd = app.add_subcommand(
      "inspect", "Describe a model: tensors, ops, memory plan, metadata");
  inspect_cmd->add_option("MODEL", inspect.model_path, ".tflite file")
      ->required();
  inspect_cmd->add_flag("--json", inspect.json, "Print one JSON object");
  AddDelegateFlags(inspect_cmd, &inspect.delegates);
  AddTrustFlags(inspect_cmd, &inspect.trust);

  RunOptions run;
  CLI::App* run_cmd = app.add_subcommand(
      "run", "Run a model on .npy or random inputs (no MODEL: built-in demo)");
  run_cmd->add_option("MODEL", run.model_path, ".tflite file (optional)");
  run_cmd->add_option("--input,-i", run.inputs, "Input as NAME=FILE.npy")
      ->type_name("NAME=FILE")
      ->allow_extra_args(false);  // one value per --input: MODEL may follow
  CLI::Option* seed = run_cmd->add_option(
      "--random-inputs", run.seed, "Fill missing inputs with random values");
  seed->type_name("SEED");
  run_cmd
      ->add_option("--output-dir,-o", run.output_dir,
                   "Write each output to DIR/<name>.npy")
      ->type_name("DIR");
  run_cmd->add_option("--threads,-t", run.threads, "Number of threads")
      ->check(CLI::Range(1, 1024));
  run_cmd->add_flag("--json", run.json, "Print one JSON object");
  run_cmd
      ->add_option("--weight-cache", run.weight_cache,
                   "Folder of the packed-weight cache (also "
                   "EMBER_WEIGHT_CACHE): later starts map the packed weights "
                   "instead of packing them again")
      ->type_name("DIR");
  AddDelegateFlags(run_cmd, &run.delegates);
  AddTrustFlags(run_cmd, &run.trust);
  run_cmd->footer(kRunFooter);

  BenchOptions bench;
  CLI::App* bench_cmd = app.add_subcommand(
      "bench", "Time a model: load, first and steady-state inference");
  bench_cmd->add_option("MODEL", bench.model_path,
                        ".tflite file (not with --peak)");
  CLI::Option* bench_threads =
      bench_cmd
          ->add_option("--threads,-t", bench.threads,
                       "Number of threads (with --peak: the 'all threads' "
                       "count, default every CPU)")
          ->check(CLI::Range(1, 1024));
  bench_cmd
      ->add_option("--warmup-ms", bench.warmup_ms,
                   "Untimed warm-up before measuring (default 1000)")
      ->check(CLI::NonNegativeNumber);
  bench_cmd
      ->add_option("--runs", bench.runs,
                   "At least this many timed runs (default 50)")
      ->check(CLI::Range(1, 1000000));
  bench_cmd
      ->add_option("--min-ms", bench.min_ms,
                   "Measure for at least this long (default 3000)")
      ->check(CLI::NonNegativeNumber);
  bench_cmd->add_flag("--profile", bench.profile, "Per-op time table");
  bench_cmd->add_flag("--json", bench.json, "Print one JSON object");
  bench_cmd->add_flag("--peak", bench.peak,
                      "Measure this CPU's fp32 FMA and int8 peak per ISA "
                      "tier (1 thread and all threads) instead of a model");
  bench_cmd
      ->add_option("--peak-ms", bench.peak_ms,
                   "With --peak: time per measurement (default 200)")
      ->check(CLI::Range(1.0, 60000.0));
  bench_cmd
      ->add_option("--weight-cache", bench.weight_cache,
                   "Folder of the packed-weight cache (also "
                   "EMBER_WEIGHT_CACHE): later starts map the packed weights "
                   "instead of packing them again")
      ->type_name("DIR");
  AddDelegateFlags(bench_cmd, &bench.delegates);
  AddTrustFlags(bench_cmd, &bench.trust);

  const RegisteredCommand registered[] = {
      AddConvertCommand(app),  AddQuantizeCommand(app), AddPruneCommand(app),
      AddMetadataCommand(app), AddTaskCommand(app),     AddReportCommand(app),
      AddMicroCommand(app),    AddKeygenCommand(app),   AddSignCommand(app),
      AddVerifyCommand(app),   AddEncryptCommand(app),  AddDecryptCommand(app),
      AddUpdateCommand(app)};

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    Fail(kExitUsage, "%s", e.what());
    fprintf(stderr, "Run 'ember --help' for usage.\n");
    return kExitUsage;
  }
  run.random_inputs = seed->count() > 0;
  try {
    if (inspect_cmd->parsed()) return Inspect(inspect);
    if (bench_cmd->parsed()) {
      bench.threads_given = bench_threads->count() > 0;
      if (bench.peak) {
        if (!bench.model_path.empty())
          return Fail(kExitUsage, "bench: --peak takes no MODEL");
        return BenchPeak(bench);
      }
      if (bench.model_path.empty())
        return Fail(kExitUsage, "bench: MODEL is required (or --peak)");
      return Bench(bench);
    }
    for (const RegisteredCommand& command : registered)
      if (command.app->parsed()) return command.handler();
    return Run(run);
  } catch (const std::exception& e) {
    // Safety net (e.g. out of memory for an absurdly large tensor): report,
    // never abort.
    return Fail(kExitError, "%s", e.what());
  }
}
