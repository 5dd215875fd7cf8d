// Subcommands that register themselves (convert, quantize, prune, report): each
// lives in its own file and owns its options, so adding one does not touch
// the others. main.cc calls the Add* functions before parsing and, after
// parsing, the handler of the subcommand that was chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace ember::cli {

// What a registered subcommand runs once the command line is parsed; it
// returns the process exit code (cli_util.h).
using CommandHandler = std::function<int()>;

struct RegisteredCommand {
  CLI::App* app = nullptr;
  CommandHandler handler;
};

RegisteredCommand AddConvertCommand(CLI::App& app);   // tools/convert.cc
RegisteredCommand AddQuantizeCommand(CLI::App& app);  // tools/quantize.cc
RegisteredCommand AddPruneCommand(CLI::App& app);     // tools/prune.cc
RegisteredCommand AddMetadataCommand(CLI::App& app);  // tools/metadata.cc
RegisteredCommand AddTaskCommand(CLI::App& app);      // tools/task.cc
RegisteredCommand AddReportCommand(CLI::App& app);    // tools/report.cc
RegisteredCommand AddMicroCommand(CLI::App& app);     // tools/micro.cc
// Signing and encryption at rest (tools/trust.cc).
RegisteredCommand AddKeygenCommand(CLI::App& app);
RegisteredCommand AddSignCommand(CLI::App& app);
RegisteredCommand AddVerifyCommand(CLI::App& app);
RegisteredCommand AddEncryptCommand(CLI::App& app);
RegisteredCommand AddDecryptCommand(CLI::App& app);
// A/B model updates: bundle, apply, status, rollback, run (tools/update.cc).
RegisteredCommand AddUpdateCommand(CLI::App& app);

struct TrustFlags;
// Adds --trust and --device-key to a model-loading subcommand.
void AddTrustFlags(CLI::App* command, TrustFlags* flags);

}  // namespace ember::cli
